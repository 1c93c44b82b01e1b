import Foundation

/// Dedicated OS threads for blocking work. On Linux, Swift's cooperative executor and
/// Dispatch's global queues share threads, so blocking there starves every task; these threads
/// belong to no executor. Threads are started on demand and exit after idling for a while.
final class ThreadPool: @unchecked Sendable {
    // Sendable proof: `jobs`, `idle` and `threads` are only touched while holding `condition`.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var idle = 0  // waiting workers not yet claimed by a submit
    private var wakeups = 0  // claims whose worker has not woken yet
    private var threads = 0
    private let idleTimeout: TimeInterval
    private let name: String
    private let maxThreads: Int

    /// `maxThreads: 1` makes a serial queue: jobs run one at a time, in submission order.
    init(name: String, idleTimeout: TimeInterval = 30, maxThreads: Int = .max) {
        self.name = name
        self.idleTimeout = idleTimeout
        self.maxThreads = max(1, maxThreads)
    }

    /// Runs `job` on a pool thread, starting one if none is idle.
    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        if idle > 0 {
            idle -= 1
            wakeups += 1
            condition.signal()
            condition.unlock()
            return
        }
        if threads >= maxThreads {
            condition.unlock()  // a busy worker takes the job when it finishes its current one
            return
        }
        threads += 1
        condition.unlock()
        let thread = Thread { [self] in self.workerLoop() }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    private func workerLoop() {
        condition.lock()
        while true {
            if !jobs.isEmpty {
                let job = jobs.removeFirst()
                condition.unlock()
                job()
                condition.lock()
                continue
            }
            idle += 1
            let signalled = condition.wait(until: Date(timeIntervalSinceNow: idleTimeout))
            if wakeups > 0 {
                wakeups -= 1  // claimed by a submit, which already took us off the idle count
            } else {
                idle -= 1
                if !signalled && jobs.isEmpty {
                    threads -= 1
                    condition.unlock()
                    return
                }
            }
        }
    }
}
