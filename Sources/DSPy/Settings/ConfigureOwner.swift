#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Who is calling `configure`: the current task (its address) when there is one, and the thread.
struct ConfigureCaller: Sendable, Equatable {
    let task: UInt?
    let thread: UInt

    var isTask: Bool { task != nil }

    static func current() -> ConfigureCaller {
        let task: UInt? = withUnsafeCurrentTask { current in
            guard let current else { return nil }
            // UnsafeCurrentTask is one reference to the task object; its bits are the task's address.
            guard MemoryLayout<UnsafeCurrentTask>.size == MemoryLayout<UInt>.size else { return UInt(bitPattern: current.hashValue) }
            return unsafeBitCast(current, to: UInt.self)
        }
        return ConfigureCaller(task: task, thread: UInt(bitPattern: Int(bitPattern: UInt(pthread_self()))))
    }
}

/// The owner of `configure` (DSPy's owner rule). A task owner is retained for as long as it owns
/// the settings, as DSPy keeps its `asyncio` task object: its address cannot pass to a later
/// task, so a task that starts after the owner ended is never mistaken for it.
final class ConfigureOwner: Sendable {
    let caller: ConfigureCaller
    private let retainsTask: Bool

    init(_ caller: ConfigureCaller) {
        self.caller = caller
        if let task = caller.task, MemoryLayout<UnsafeCurrentTask>.size == MemoryLayout<UInt>.size,
            let pointer = UnsafeRawPointer(bitPattern: task)
        {
            // The caller is running, so its task is alive here; holding a reference is what a
            // `Task` handle does.
            _ = Unmanaged<AnyObject>.fromOpaque(pointer).retain()
            retainsTask = true
        } else {
            retainsTask = false
        }
    }

    deinit {
        if retainsTask, let task = caller.task, let pointer = UnsafeRawPointer(bitPattern: task) {
            Unmanaged<AnyObject>.fromOpaque(pointer).release()
        }
    }

    /// A task owner matches only itself; outside tasks, the owning thread matches.
    func matches(_ other: ConfigureCaller) -> Bool {
        if let task = caller.task { return other.task == task }
        return other.task == nil && other.thread == caller.thread
    }
}
