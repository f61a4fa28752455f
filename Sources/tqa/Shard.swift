import ArgumentParser

/// `--shard I/N`: the I-th of N parts of a list of inputs (1 ≤ I ≤ N, as coreutils' `split -n K/N`),
/// for job arrays that spread one corpus over many machines.
///
/// The split depends only on the set of input paths, not on their order on the command line nor
/// on the machine: the paths are sorted by their UTF-8 bytes, and the k-th of them (from 0) goes
/// to part k mod N + 1. The N parts are disjoint, together hold every input once, and their sizes
/// differ by at most one. Every task must be given the same list (the same glob over the same
/// files, spelled the same way: `corpus/a.wav` and `./corpus/a.wav` sort differently).
struct Shard: ExpressibleByArgument, Equatable {
    let index: Int
    let count: Int

    /// The largest N accepted: more parts than any job array needs, small enough to print.
    static let maxCount = 1_000_000

    init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    init?(argument: String) {
        let parts = argument.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]),
              (1...Shard.maxCount).contains(n), (1...n).contains(i) else { return nil }
        self.init(index: i, count: n)
    }

    static var defaultCompletionKind: CompletionKind { .default }

    /// The inputs of this part, in sorted order.
    func select(_ inputs: [String]) -> [String] {
        let sorted = inputs.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        return sorted.enumerated().filter { $0.offset % count == index - 1 }.map(\.element)
    }
}
