import Foundation
#if canImport(Glibc)
    import Glibc
#endif

// Child processes for tests: the real `dspy-repl` binary, tmux, Scripts/lm-server.

/// The path of an executable this package builds (`dspy-repl`, `dspy-bench`): it sits next to
/// the test bundle.
public func builtProduct(_ name: String) -> String {
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent(name).path
}

/// Where a spawned child's stdout goes.
public enum ChildOutput {
    case discard
    case capture
    case file(String)
}

/// Runs a program to completion and returns its exit status and (with `.capture`) its stdout.
/// It uses posix_spawn and waitpid directly: Foundation's Process did not notice tmux's client
/// exiting when waited on from an async test. The child gets no descriptor above stderr:
/// a daemon it starts (the tmux server) would otherwise keep this process's sockets — another
/// test's HTTP connection — open after this process closes them.
@discardableResult
public func spawnAndWait(
    _ args: [String], environment: [String]? = nil, stdin: String = "/dev/null",
    stdout: ChildOutput = .discard, stderrFile: String = "/dev/null"
) throws -> (status: Int32, output: String) {
    let (pid, captureFD) = try spawn(args, environment: environment, stdin: stdin, stdout: stdout, stderrFile: stderrFile)
    var output: [UInt8] = []
    if let captureFD {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(captureFD, &buffer, buffer.count)
            if n <= 0 { break }
            output.append(contentsOf: buffer[0..<n])
        }
        close(captureFD)
    }
    return (waitForChild(pid), String(decoding: output, as: UTF8.self))
}

/// Runs blocking work (waiting for a child process) on a thread of its own, so the test does
/// not hold one of the cooperative pool's threads — only two on a 2-core machine, and every
/// other async test running in parallel needs them.
public func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// Starts a program in the background with stdout and stderr going to files; returns its pid.
public func startChild(
    _ args: [String], environment: [String]? = nil, stdoutFile: String, stderrFile: String,
    workingDirectory: String? = nil
) throws -> pid_t {
    // A program that writes relative paths writes them there, not into the checkout (GNU env's
    // -C: Glibc's module does not export posix_spawn_file_actions_addchdir_np).
    let command = workingDirectory.map { ["/usr/bin/env", "-C", $0, "--"] + args } ?? args
    return try spawn(command, environment: environment, stdin: "/dev/null", stdout: .file(stdoutFile), stderrFile: stderrFile).pid
}

/// Waits for a child to end and returns its exit status.
@discardableResult
public func waitForChild(_ pid: pid_t) -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return (status >> 8) & 0xff
}

private func spawn(
    _ args: [String], environment: [String]?, stdin: String, stdout: ChildOutput,
    stderrFile: String
) throws -> (pid: pid_t, captureFD: Int32?) {
    var pipeFDs: [Int32] = [-1, -1]
    if case .capture = stdout { guard pipe(&pipeFDs) == 0 else { throw POSIXError(.EIO) } }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
    switch stdout {
    case .discard: posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    case .capture: posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
    case .file(let path): posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    }
    posix_spawn_file_actions_addopen(&actions, 2, stderrFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    try closeInheritedDescriptors(&actions)
    // The spawning thread may be a concurrency worker with most signals blocked; a child
    // inherits that mask, and a shell script would never see the SIGTERM that should stop it.
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    unblockAndResetSignals(&attributes)
    let argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
    defer { for a in argv { free(a) } }
    let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup($0) } + [nil] }
    defer { for e in envp ?? [] { free(e) } }
    var pid: pid_t = 0
    let rc =
        envp.map { posix_spawnp(&pid, args[0], &actions, &attributes, argv, $0) } ?? posix_spawnp(&pid, args[0], &actions, &attributes, argv, environ)
    if case .capture = stdout { close(pipeFDs[1]) }
    guard rc == 0 else {
        if case .capture = stdout { close(pipeFDs[0]) }
        throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .ENOENT)
    }
    if case .capture = stdout { return (pid, pipeFDs[0]) }
    return (pid, nil)
}

/// Makes a spawned child start with no signal blocked and every handler at its default,
/// whatever the spawning thread had (a concurrency worker blocks most signals).
public func unblockAndResetSignals(_ attributes: inout posix_spawnattr_t) {
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    var allSignals = sigset_t()
    sigfillset(&allSignals)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    posix_spawnattr_setsigdefault(&attributes, &allSignals)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
}

/// Adds "close every descriptor from 3 up" to a spawn, through glibc's
/// `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc module does not declare.
public func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) throws {
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
        throw POSIXError(.ENOSYS)  // glibc older than 2.34: tests would leak sockets into tmux
    }
    let closeFrom = unsafeBitCast(symbol, to: CloseFrom.self)
    guard closeFrom(&actions, 3) == 0 else { throw POSIXError(.EINVAL) }
}

/// A fresh directory under the system's temporary directory.
public func temporaryDirectory(_ label: String) throws -> String {
    let dir = NSTemporaryDirectory() + "dspy-\(label)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}
