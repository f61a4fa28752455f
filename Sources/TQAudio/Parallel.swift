import Dispatch
import Synchronization

/// Runs `body(i)` for every i in 0..<count on up to `threads` threads
/// (`DispatchQueue.concurrentPerform`), each thread taking the next index not yet taken until
/// none is left, so that uneven items balance out; `thread` (`0..<threads`) names the thread
/// running an item, for per-thread scratch space.
///
/// `body` must only write state that no other index touches (its own slot of an output buffer).
/// With `threads <= 1` or `count <= 1` it runs inline, in order.
public func parallelFor(count: Int, threads: Int, _ body: (_ index: Int, _ thread: Int) -> Void) {
    if threads <= 1 || count <= 1 {
        for i in 0..<count { body(i, 0) }
        return
    }
    let workers = min(threads, count)
    let next = Atomic<Int>(0)
    withoutActuallyEscaping(body) { body in
        let box = UncheckedBox(body)
        DispatchQueue.concurrentPerform(iterations: workers) { t in
            while true {
                let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if i >= count { break }
                box.value(i, t)
            }
        }
    }
}

/// Wraps a value that the caller promises to use safely across threads.
public struct UncheckedBox<T>: @unchecked Sendable {
    public var value: T
    public init(_ value: T) { self.value = value }
}
