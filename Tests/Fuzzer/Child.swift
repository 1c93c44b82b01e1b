// Running one `dspy-repl` process under limits: a wall-clock timeout, an address-space limit,
// no core files, stdout and stderr read through one pipe (kept only in part, scanned for a
// secret).

import Foundation
import TestSupport
#if canImport(Glibc)
    import Glibc
#endif

/// How a child process ended, and what it printed.
struct ChildResult: Sendable {
    enum Ending: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
        /// Killed by us at the deadline.
        case timedOut
    }

    var ending: Ending
    /// Wall-clock seconds from spawn to exit.
    var seconds: Double
    /// The largest resident set the child reached, in bytes (from `wait4`).
    var peakResidentBytes: Int
    /// The first and last bytes of stdout and stderr together, and how many there were.
    var head: [UInt8]
    var tail: [UInt8]
    var outputBytes: Int
    /// Whether the secret appeared anywhere in the output.
    var secretSeen: Bool

    var headText: String { String(decoding: head, as: UTF8.self) }
    var tailText: String { String(decoding: tail, as: UTF8.self) }

    /// The output, shortened in the middle when it was long.
    var outputExcerpt: String {
        if outputBytes <= head.count { return headText }
        if outputBytes <= head.count + tail.count { return headText + String(decoding: tail.suffix(outputBytes - head.count), as: UTF8.self) }
        return headText + "\n[... \(outputBytes - head.count - tail.count) bytes ...]\n" + tailText
    }
}

/// Limits and environment for children.
struct ChildLimits: Sendable {
    var timeout: Double
    var memoryBytes: Int
}

enum Child {
    static let headLimit = 4 << 10
    static let tailLimit = 16 << 10

    /// Runs `args` in `directory` with `environment` until it exits or `limits.timeout` passes.
    static func run(_ args: [String], environment: [String], directory: String, limits: ChildLimits, secret: String?) -> ChildResult {
        let start = DispatchTime.now()
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return failedToStart("pipe: \(errno)") }
        let (readFD, writeFD) = (fds[0], fds[1])
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeFD, 1)
        posix_spawn_file_actions_adddup2(&actions, writeFD, 2)
        try? closeInheritedDescriptors(&actions)  // without it (glibc < 2.34) the child merely inherits more
        addChdir(&actions, directory)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        unblockAndResetSignals(&attributes)
        let argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { for e in envp { free(e) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, args[0], &actions, &attributes, argv, envp)
        close(writeFD)
        guard rc == 0 else {
            close(readFD)
            return failedToStart("posix_spawn \(args[0]): \(String(cString: strerror(rc)))")
        }
        // The limits apply from here on; the child has only just started, far below them.
        setLimit(pid, Int32(RLIMIT_AS.rawValue), limits.memoryBytes)
        setLimit(pid, Int32(RLIMIT_CORE.rawValue), 0)

        let deadline = start.uptimeNanoseconds + UInt64(max(0.05, limits.timeout) * 1e9)
        var head: [UInt8] = [], tail: [UInt8] = [], total = 0
        var timedOut = false
        let needle = secret.map { Array($0.utf8) } ?? []
        var carry: [UInt8] = []  // the end of the previous read, for a secret split across reads
        var secretSeen = false
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var open = true
        while open {
            var p = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, 50)
            if ready > 0 {
                let n = buffer.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
                if n > 0 {
                    let chunk = buffer[0..<n]
                    total += n
                    if head.count < headLimit { head.append(contentsOf: chunk.prefix(headLimit - head.count)) }
                    tail.append(contentsOf: chunk)
                    if tail.count > tailLimit { tail.removeFirst(tail.count - tailLimit) }
                    if !needle.isEmpty, !secretSeen {
                        let window = carry + chunk
                        if contains(window, needle) { secretSeen = true }
                        carry = Array(window.suffix(needle.count - 1))
                    }
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    open = false
                }
            }
            if !timedOut, DispatchTime.now().uptimeNanoseconds > deadline {
                timedOut = true
                kill(pid, SIGKILL)
            }
        }
        close(readFD)
        var status: Int32 = 0
        var usage = rusage()
        while true {
            let r = wait4(pid, &status, timedOut ? 0 : WNOHANG, &usage)
            if r == pid { break }
            if r < 0 && errno != EINTR { break }
            if r == 0 {
                if DispatchTime.now().uptimeNanoseconds > deadline {
                    timedOut = true
                    kill(pid, SIGKILL)
                } else {
                    usleep(5_000)
                }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let ending: ChildResult.Ending
        if timedOut {
            ending = .timedOut
        } else if status & 0x7f == 0 {
            ending = .exited((status >> 8) & 0xff)
        } else {
            ending = .signaled(status & 0x7f)
        }
        return ChildResult(
            ending: ending, seconds: seconds, peakResidentBytes: Int(usage.ru_maxrss) * 1024, head: head, tail: tail,
            outputBytes: total, secretSeen: secretSeen)
    }

    /// glibc's `prlimit`, which the Glibc module does not declare: sets another process's limit.
    static func setLimit(_ pid: pid_t, _ resource: Int32, _ value: Int) {
        typealias PRLimit = @convention(c) (pid_t, Int32, UnsafePointer<rlimit>?, UnsafeMutablePointer<rlimit>?) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "prlimit") else {
            FileHandle.standardError.write(Data("dspy-fuzz: no prlimit in this libc; children run without limits\n".utf8))
            return
        }
        var limit = rlimit(rlim_cur: rlim_t(value), rlim_max: rlim_t(value))
        if unsafeBitCast(symbol, to: PRLimit.self)(pid, resource, &limit, nil) != 0 {
            FileHandle.standardError.write(Data("dspy-fuzz: prlimit failed: \(String(cString: strerror(errno)))\n".utf8))
        }
    }

    static func failedToStart(_ message: String) -> ChildResult {
        FileHandle.standardError.write(Data("dspy-fuzz: \(message)\n".utf8))
        exit(2)
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0]
        var i = 0
        while i <= haystack.count - needle.count {
            if haystack[i] == first, haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }

    /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29+).
    static func addChdir(_ actions: inout posix_spawn_file_actions_t, _ path: String) {
        typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else { return }
        _ = path.withCString { unsafeBitCast(symbol, to: AddChdir.self)(&actions, $0) }
    }

    static func signalName(_ s: Int32) -> String {
        switch s {
        case SIGILL: return "SIGILL"
        case SIGTRAP: return "SIGTRAP"
        case SIGABRT: return "SIGABRT"
        case SIGBUS: return "SIGBUS"
        case SIGFPE: return "SIGFPE"
        case SIGKILL: return "SIGKILL"
        case SIGSEGV: return "SIGSEGV"
        case SIGPIPE: return "SIGPIPE"
        case SIGTERM: return "SIGTERM"
        case SIGXFSZ: return "SIGXFSZ"
        default: return "signal \(s)"
        }
    }
}
