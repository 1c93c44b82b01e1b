// fixture-server: the corpus's deterministic LM (FixtureResponder) on 127.0.0.1, for
// Scripts/dspy-corpus, which runs Python DSPy (or another implementation) against it.
//
//     fixture-server --log requests.jsonl
//
// Binds a free port, prints its base URL (`http://127.0.0.1:PORT/v1`) as the first line of
// stdout, appends every request it receives to the log as one line of normalized JSON
// (FixtureNormalization; in arrival order, written before the reply is sent), and exits when
// its stdin closes.

import DSPy
import Foundation
import TestSupport
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An append-only file of lines, safe to write from any thread.
final class LineLog: Sendable {
    private let fd: Int32
    private let lock = Locked(())

    init(path: String) throws {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0o644)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// Writes `line` and a newline in one piece.
    func append(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        lock.withLock { _ in
            var offset = 0
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return }
                offset += n
            }
        }
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("fixture-server: \(message)\n".utf8))
    exit(2)
}

var logPath: String?
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--log":
        guard let path = arguments.popFirst() else { fail("--log needs a file") }
        logPath = path
    case "-h", "--help":
        print("usage: fixture-server --log FILE   (serves until stdin closes)")
        exit(0)
    default:
        fail("unknown argument \(argument); usage: fixture-server --log FILE")
    }
}
guard let logPath else { fail("usage: fixture-server --log FILE") }

let log: LineLog
do { log = try LineLog(path: logPath) } catch { fail("cannot open \(logPath): \(error)") }
let server: LoopbackServer
do {
    server = try await LoopbackServer.start { request in
        log.append(FixtureNormalization.line(request))
        return FixtureResponder.reply(to: request)
    }
} catch {
    fail("cannot listen on 127.0.0.1: \(error)")
}
FileHandle.standardOutput.write(Data("\(server.baseURL)/v1\n".utf8))  // unbuffered: the script waits for it
await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
    Thread {
        while readLine() != nil {}
        done.resume()
    }.start()
}
try? await server.shutdown()
