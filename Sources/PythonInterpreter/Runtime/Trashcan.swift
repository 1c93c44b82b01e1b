#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Frees containers without recursion (CPython's "trashcan"): releasing the last reference to
/// a list nested 200 000 deep would otherwise run 200 000 nested deinitializers and overflow the
/// native stack of whatever thread drops it.
///
/// A container's deinitializer hands its contents here. The outermost one on a thread frees
/// them in a loop; contents released meanwhile by nested deinitializers are queued, not freed
/// recursively.
enum Trashcan {
    private final class State {
        var draining = false
        var pending: [Any] = []
    }

    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k) { raw in
            #if canImport(Darwin)
                Unmanaged<AnyObject>.fromOpaque(raw).release()
            #else
                if let raw { Unmanaged<AnyObject>.fromOpaque(raw).release() }
            #endif
        }
        return k
    }()

    private static var state: State {
        if let p = pthread_getspecific(key) { return Unmanaged<State>.fromOpaque(p).takeUnretainedValue() }
        let s = State()
        pthread_setspecific(key, Unmanaged.passRetained(s).toOpaque())
        return s
    }

    /// Takes ownership of a dying container's contents and frees them iteratively.
    static func dispose(_ contents: consuming Any) {
        let s = state
        // Moved, not copied: the queue must hold the only reference while it drains.
        s.pending.append(consume contents)
        guard !s.draining else { return }
        s.draining = true
        while let next = s.pending.popLast() {
            // Dropping `next` may run nested deinitializers, which only append to `pending`.
            _ = next
        }
        s.draining = false
    }
}
