import DSPy
import Foundation
import TestSupport
import Testing
@testable import DSPyShell

/// Script fixtures under Tests/Fixtures/shell: each `NAME.dspy` replays to `NAME.out` (and
/// `NAME.err` when it fails) on the offline dummy LM.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/shell")

    static var scripts: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".dspy") }.sorted()
    }

    static func read(_ name: String) -> String? { try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8) }
}

/// Runs the real binary with files for stdin, stdout and stderr; returns the exit status.
func runBinary(_ args: [String], stdin: String? = nil, environment extra: [String: String] = [:]) async throws -> (
    status: Int32, out: String, err: String
) {
    let dir = NSTemporaryDirectory() + "dspy-run-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let outPath = dir + "/out", errPath = dir + "/err"
    let env =
        ["XDG_DATA_HOME=\(dir)", "XDG_CONFIG_HOME=\(dir)", "XDG_CACHE_HOME=\(dir)", "HOME=\(dir)", "PATH=/usr/bin:/bin", "LANG=C.UTF-8"]
        + extra.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    let status = try await offThePool {
        try spawnAndWait(
            [TerminalSession.binary] + args, environment: env, stdin: stdin ?? "/dev/null",
            stdout: .file(outPath), stderrFile: errPath
        ).status
    }
    let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    return (status, out, err)
}

@Suite struct ReplayTests {
    @Test(arguments: Fixtures.scripts)
    func fixtureReplaysToItsGoldenOutput(script: String) async throws {
        let (engine, capture) = try session()
        let base = String(script.dropLast(".dspy".count))
        let source = try #require(Fixtures.read(script))
        let ok = await engine.execute(source, file: script)
        #expect(capture.out == Fixtures.read(base + ".out"), "stdout of \(script)")
        #expect(capture.err == (Fixtures.read(base + ".err") ?? ""), "stderr of \(script)")
        #expect(ok == (Fixtures.read(base + ".err") == nil))
    }

    @Test func binaryExitStatusAndErrorLocation() async throws {
        let script = Fixtures.directory.appendingPathComponent("error.dspy").path
        let stop = try await runBinary([script])
        #expect(stop.status == 1)
        #expect(stop.out == "before\n'dummy answer for: fine'\n")
        #expect(stop.err == "error: \(script):5:5: NameError: name 'undefined_name' is not defined\n")

        let keepGoing = try await runBinary(["--keep-going", script])
        #expect(keepGoing.status == 1)
        #expect(keepGoing.out.hasSuffix("never printed\n"))

        let tour = try await runBinary([Fixtures.directory.appendingPathComponent("tour.dspy").path])
        #expect(tour.status == 0)
        #expect(tour.out == Fixtures.read("tour.out"))
    }

    @Test func commandsPipesAndFlags() async throws {
        let c = try await runBinary(["-c", "a = 20; a + 22"])
        #expect(c.status == 0 && c.out == "42\n")
        let bad = try await runBinary(["-c", "nope"])
        #expect(bad.status == 1 && bad.err == "error: NameError: name 'nope' is not defined\nhint: Did you mean: 'None'?\n")
        let piped = try await runBinary([], stdin: Fixtures.directory.appendingPathComponent("error.dspy").path)
        #expect(piped.status == 1)
        #expect(piped.err == "error: <stdin>:5:5: NameError: name 'undefined_name' is not defined\n")
        let echo = try await runBinary(["--echo", "-c", "x = 1\nx + 1"])
        #expect(echo.out == "dspy> x = 1\ndspy> x + 1\n2\n")
        let version = try await runBinary(["--version"])
        #expect(version.status == 0 && version.out == "dspy-repl \(DSPyVersion.string)\n")
        let args = try await runBinary(["-c", "args"])
        #expect(args.out == "[]\n")
        let withArgs = try await runBinary([Fixtures.directory.appendingPathComponent("args.dspy").path, "one", "--two"])
        #expect(withArgs.out == "['one', '--two']\n")
        let unknownLM = try await runBinary(["--lm", "nope/model", "-c", "1"])
        #expect(unknownLM.status == 2 && unknownLM.err.hasPrefix("error: [") == false && unknownLM.err.contains("Unknown provider 'nope'"))
    }
}
