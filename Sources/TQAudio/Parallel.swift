import Dispatch

/// Runs `body(i)` for every i in 0..<count on up to `threads` threads
/// (`DispatchQueue.concurrentPerform`), each thread taking every `threads`-th index in turn.
///
/// `body` must only write state that no other index touches (its own slot of an output buffer).
/// With `threads <= 1` or `count <= 1` it runs inline, in order.
public func parallelFor(count: Int, threads: Int, _ body: (_ index: Int, _ thread: Int) -> Void) {
    if threads <= 1 || count <= 1 {
        for i in 0..<count { body(i, 0) }
        return
    }
    let workers = min(threads, count)
    withoutActuallyEscaping(body) { body in
        let box = UncheckedBox(body)
        DispatchQueue.concurrentPerform(iterations: workers) { t in
            var i = t
            while i < count {
                box.value(i, t)
                i += workers
            }
        }
    }
}

/// Wraps a value that the caller promises to use safely across threads.
public struct UncheckedBox<T>: @unchecked Sendable {
    public var value: T
    public init(_ value: T) { self.value = value }
}
