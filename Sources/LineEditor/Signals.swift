#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import CLibEdit
import Synchronization

// Process-wide signal state. Everything a signal handler touches is a lock-free atomic or a
// plain file descriptor number, so the handler only does async-signal-safe work: two atomic
// increments and one write(2) to a non-blocking pipe.

/// Number of SIGINTs received since `installSignalHandlers()`.
let sigintCounter = Atomic<Int>(0)
/// Number of SIGWINCHs received since `installSignalHandlers()`.
let sigwinchCounter = Atomic<Int>(0)
/// Number of SIGCONTs (resumed after Ctrl-Z) received since `installSignalHandlers()`.
let sigcontCounter = Atomic<Int>(0)
/// Self-pipe: the handlers write one byte to `wakeupWriteFD` so that a reader blocked in
/// poll(2) on the terminal wakes up on whatever thread the kernel delivered the signal to.
let wakeupReadFD = Atomic<Int32>(-1)
let wakeupWriteFD = Atomic<Int32>(-1)
let signalHandlersInstalled = Atomic<Bool>(false)

private func lineEditorSignalHandler(_ signo: Int32) {
    let savedErrno = errno
    if signo == SIGINT {
        sigintCounter.add(1, ordering: .sequentiallyConsistent)
    } else if signo == SIGWINCH {
        sigwinchCounter.add(1, ordering: .sequentiallyConsistent)
    } else if signo == SIGCONT {
        sigcontCounter.add(1, ordering: .sequentiallyConsistent)
    }
    let fd = wakeupWriteFD.load(ordering: .sequentiallyConsistent)
    if fd >= 0 {
        var byte: UInt8 = UInt8(truncatingIfNeeded: signo)
        _ = write(fd, &byte, 1)  // non-blocking; a full pipe already guarantees a wake-up
    }
    errno = savedErrno
}

enum SignalSupport {
    /// Installs the handlers once per process. Returns false if sigaction failed.
    @discardableResult
    static func install() -> Bool {
        guard
            signalHandlersInstalled.compareExchange(
                expected: false, desired: true, ordering: .sequentiallyConsistent
            ).exchanged
        else { return true }

        var fds: [Int32] = [-1, -1]
        if clibedit_pipe_nonblocking(&fds) == 0 {
            wakeupReadFD.store(fds[0], ordering: .sequentiallyConsistent)
            wakeupWriteFD.store(fds[1], ordering: .sequentiallyConsistent)
        }

        var ok = true
        for signo in [SIGINT, SIGWINCH, SIGCONT] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = lineEditorSignalHandler
            sigemptyset(&action.sa_mask)
            // SA_RESTART: other threads' blocking calls (sockets, files) are not disturbed with
            // EINTR; the line reader does not rely on EINTR but on the self-pipe above.
            action.sa_flags = Int32(SA_RESTART)
            if sigaction(signo, &action, nil) != 0 { ok = false }
        }
        return ok
    }

    /// Reads and discards everything in the wake-up pipe.
    static func drainWakeupPipe() {
        let fd = wakeupReadFD.load(ordering: .sequentiallyConsistent)
        guard fd >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 { continue }
            if n < 0 && errno == EINTR { continue }
            return
        }
    }

    enum WaitResult { case input, signal, output, error, timeout }

    /// Blocks until `fd` is readable (or hung up), a handled signal arrived, `outputFD` (when
    /// not -1) is readable, or (with a non-negative timeout) the time is up.
    static func waitForInput(fd: Int32, timeoutMilliseconds: Int32 = -1, outputFD: Int32 = -1) -> WaitResult {
        let wake = wakeupReadFD.load(ordering: .sequentiallyConsistent)
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
        let wakeIndex = wake >= 0 ? fds.count : -1
        if wake >= 0 { fds.append(pollfd(fd: wake, events: Int16(POLLIN), revents: 0)) }
        let outputIndex = outputFD >= 0 ? fds.count : -1
        if outputFD >= 0 { fds.append(pollfd(fd: outputFD, events: Int16(POLLIN), revents: 0)) }
        while true {
            let rc = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), timeoutMilliseconds) }
            if rc == 0 { return .timeout }
            if rc < 0 {
                if errno == EINTR { return .signal }
                return .error
            }
            if wakeIndex >= 0 && fds[wakeIndex].revents != 0 { return .signal }
            if outputIndex >= 0 && fds[outputIndex].revents != 0 { return .output }
            if fds[0].revents != 0 { return .input }
        }
    }
}
