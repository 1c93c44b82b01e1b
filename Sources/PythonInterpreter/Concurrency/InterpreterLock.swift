import Dispatch
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The interpreter lock: only the thread holding it runs Python code or touches Python objects.
///
/// It is handed over in strict FIFO order, and a waiter can reserve its place before its thread
/// exists (a task created by `create_task` or `gather` queues behind its creator), so coroutines
/// interleave at `await` points in the order asyncio would run them.
public final class InterpreterLock: @unchecked Sendable {
    // Sendable proof: `held`, `queue` and `head` are guarded by `mutex`; `holderReadyAt`,
    // `holderGrantedAt` and `latestLoopTime` are written and read only by the thread holding the
    // lock (right after it became its own, or while it runs), so the hand-over orders every access.
    final class Ticket: @unchecked Sendable {
        // Sendable proof: `granted` is written under the lock's mutex before `semaphore` is
        // signalled, and read only by the ticket's owner after the wait.
        let semaphore = DispatchSemaphore(value: 0)
        var granted = false
        /// When its owner became ready to run (took its place in line).
        let reservedAt = DispatchTime.now()
    }

    private var mutex = pthread_mutex_t()
    private var held = false
    private var queue: [Ticket] = []
    private var head = 0
    private var holderReadyAt = DispatchTime.now()
    private var holderGrantedAt = DispatchTime.now()
    private var latestLoopTime = DispatchTime(uptimeNanoseconds: 0)

    /// asyncio's loop time for the thread holding the lock: when it became ready plus how long
    /// it has run since it got the lock. The wait in line for the lock is left out: in asyncio
    /// tasks made ready together start together, while here each waits for its thread to be
    /// scheduled, which on a busy machine would reorder sleeps that CPython orders by delay.
    /// Like asyncio's clock it never goes back: a holder that was preempted while it ran does not
    /// give a later task an earlier time (which would wake equal sleeps out of order).
    var loopTime: DispatchTime {
        let ran = DispatchTime.now().uptimeNanoseconds &- holderGrantedAt.uptimeNanoseconds
        let time = max(holderReadyAt + .nanoseconds(Int(clamping: ran)), latestLoopTime)
        latestLoopTime = time
        return time
    }

    private func granted(_ ticket: Ticket) {
        holderReadyAt = ticket.reservedAt
        holderGrantedAt = .now()
    }

    public init() {
        pthread_mutex_init(&mutex, nil)
    }

    deinit { pthread_mutex_destroy(&mutex) }

    /// Takes a place in line now; `acquire(ticket)` later waits for the turn.
    func reserve() -> Ticket {
        let t = Ticket()
        pthread_mutex_lock(&mutex)
        if !held && head == queue.count {
            held = true
            t.granted = true
        } else {
            queue.append(t)
        }
        pthread_mutex_unlock(&mutex)
        return t
    }

    func acquire(_ ticket: Ticket) {
        pthread_mutex_lock(&mutex)
        let isGranted = ticket.granted
        pthread_mutex_unlock(&mutex)
        if !isGranted {
            ticket.semaphore.wait()
            // The releaser granted the ticket under the mutex: taking it once more makes the
            // hand-over visible to the thread sanitizer (the semaphore's futex wait is not).
            pthread_mutex_lock(&mutex)
            pthread_mutex_unlock(&mutex)
        }
        granted(ticket)
    }

    /// Blocks until the lock is this thread's.
    public func acquire() { acquire(reserve()) }

    /// Waits at most `timeout` for the lock; false (and no place in line) when it did not come.
    public func tryAcquire(timeout: DispatchTimeInterval) -> Bool {
        let ticket = reserve()
        pthread_mutex_lock(&mutex)
        let isGranted = ticket.granted
        pthread_mutex_unlock(&mutex)
        if isGranted || ticket.semaphore.wait(timeout: .now() + timeout) == .success {
            pthread_mutex_lock(&mutex)  // see acquire(_:)
            pthread_mutex_unlock(&mutex)
            granted(ticket)
            return true
        }
        pthread_mutex_lock(&mutex)
        if let i = queue[head...].firstIndex(where: { $0 === ticket }) {
            queue.remove(at: i)
            pthread_mutex_unlock(&mutex)
            return false
        }
        pthread_mutex_unlock(&mutex)
        // Granted between the timeout and the check: it is ours now.
        ticket.semaphore.wait()
        pthread_mutex_lock(&mutex)  // see acquire(_:)
        pthread_mutex_unlock(&mutex)
        granted(ticket)
        return true
    }

    /// Hands the lock to the next in line, or frees it.
    public func release() {
        pthread_mutex_lock(&mutex)
        if head < queue.count {
            let next = queue[head]
            head += 1
            if head > 64 && head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            next.granted = true
            pthread_mutex_unlock(&mutex)
            next.semaphore.signal()
        } else {
            held = false
            pthread_mutex_unlock(&mutex)
        }
    }

    /// True when no thread holds the lock or waits for it (the interpreter is between steps).
    var isIdle: Bool {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return !held && head == queue.count
    }

    /// Whether another thread is waiting for the lock.
    var hasWaiters: Bool {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return head < queue.count
    }
}

/// Threads that run Python code: large stacks (deep recursion is bounded by the recursion limit
/// and a stack check, not by a small default stack), reused when idle.
final class PythonThreads: @unchecked Sendable {
    // Sendable proof: `idle`, `count` and `busy` are guarded by `mutex`.
    static let stackSize = 64 << 20
    static let maxThreads = 4096

    final class Worker: @unchecked Sendable {
        // Sendable proof: `work` is set under the pool's mutex before `wake` is signalled.
        let wake = DispatchSemaphore(value: 0)
        var work: (@Sendable () -> Void)?
    }

    private var mutex = pthread_mutex_t()
    private var idle: [Worker] = []
    private var count = 0

    static let shared = PythonThreads()

    init() { pthread_mutex_init(&mutex, nil) }

    var threadCount: Int {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return count
    }

    /// Threads running work (a statement, a task, a suspended generator), not idle in the pool.
    var busyThreadCount: Int {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return count - idle.count
    }

    /// Runs `work` on a Python thread: an idle one, or a new one.
    func run(_ work: @escaping @Sendable () -> Void) throws {
        pthread_mutex_lock(&mutex)
        if let w = idle.popLast() {
            w.work = work
            pthread_mutex_unlock(&mutex)
            w.wake.signal()
            return
        }
        guard count < PythonThreads.maxThreads else {
            pthread_mutex_unlock(&mutex)
            throw PyError.runtime("too many Python tasks and generators are alive at once (\(PythonThreads.maxThreads)); finish or cancel some")
        }
        count += 1
        pthread_mutex_unlock(&mutex)
        let worker = Worker()
        worker.work = work
        let box = Unmanaged.passRetained(ThreadStart(pool: self, worker: worker)).toOpaque()
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        pthread_attr_setstacksize(&attr, PythonThreads.stackSize)
        pthread_attr_setdetachstate(&attr, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        let rc = pthread_create(
            &thread, &attr,
            { raw in
                guard let raw else { return nil }
                let start = Unmanaged<ThreadStart>.fromOpaque(raw).takeRetainedValue()
                start.pool.loop(start.worker)
                return nil
            }, box)
        pthread_attr_destroy(&attr)
        if rc != 0 {
            Unmanaged<ThreadStart>.fromOpaque(box).release()
            pthread_mutex_lock(&mutex)
            count -= 1
            pthread_mutex_unlock(&mutex)
            throw PyError.runtime("could not start a thread for Python code (error \(rc))")
        }
    }

    final class ThreadStart {
        let pool: PythonThreads
        let worker: Worker
        init(pool: PythonThreads, worker: Worker) {
            self.pool = pool
            self.worker = worker
        }
    }

    private static let stackKey: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k, nil)
        return k
    }()

    /// The highest stack address of the current thread, if it is a Python thread.
    static var stackTop: UInt? {
        guard let p = pthread_getspecific(stackKey) else { return nil }
        return UInt(bitPattern: p)
    }

    private func loop(_ w: Worker) {
        var marker = 0
        let top = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) } &+ 4096
        pthread_setspecific(PythonThreads.stackKey, UnsafeRawPointer(bitPattern: top))
        while true {
            pthread_mutex_lock(&mutex)
            let job = w.work
            w.work = nil
            pthread_mutex_unlock(&mutex)
            job?()
            pthread_mutex_lock(&mutex)
            if idle.count >= 16 {
                count -= 1
                pthread_mutex_unlock(&mutex)
                return
            }
            idle.append(w)
            pthread_mutex_unlock(&mutex)
            // Idle threads wait for work; after a minute without any they exit.
            if w.wake.wait(timeout: .now() + 60) == .timedOut {
                pthread_mutex_lock(&mutex)
                if let i = idle.firstIndex(where: { $0 === w }) {
                    idle.remove(at: i)
                    count -= 1
                    pthread_mutex_unlock(&mutex)
                    return
                }
                pthread_mutex_unlock(&mutex)
                w.wake.wait()
            }
        }
    }
}
