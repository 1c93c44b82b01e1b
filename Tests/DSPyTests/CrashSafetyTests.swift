// Two processes writing one call log or one history file at once, killed with SIGKILL in the
// middle (issue 11): every SQLite file passes `PRAGMA integrity_check`, and every write a
// process acknowledged (printed `ok ID` after the library returned) is still there. The
// writers are `dspy-bench calllog-writer` and `dspy-bench history-writer`.

import Foundation
import LineEditor
import TestSupport
import Testing
@testable import DSPy

/// The ids a writer acknowledged so far (its `ok ID` lines; a line being printed is ignored).
private func acknowledged(_ outputFile: String) -> [String] {
    let text = (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? ""
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    lines.removeLast()  // the piece after the last newline is incomplete (or empty)
    return lines.compactMap { $0.hasPrefix("ok ") ? String($0.dropFirst(3)) : nil }
}

/// Starts one writer per id with `arguments` after the mode, waits until each acknowledged at
/// least `atLeast` writes, kills them all with SIGKILL, and returns what each acknowledged.
private func runAndKill(
    mode: String, arguments: (String) -> [String], ids: [String], atLeast: Int,
    in dir: String
) async throws -> [String: [String]] {
    var pids: [String: pid_t] = [:]
    for id in ids {
        pids[id] = try startChild(
            [builtProduct("dspy-bench"), mode] + arguments(id), stdoutFile: "\(dir)/\(id).out",
            stderrFile: "\(dir)/\(id).err")
    }
    var ready = false
    for _ in 0..<3000 where !ready {
        ready = ids.allSatisfy { acknowledged("\(dir)/\($0).out").count >= atLeast }
        if !ready { try await Task.sleep(for: .milliseconds(20)) }
    }
    for pid in pids.values { kill(pid, SIGKILL) }
    for pid in pids.values { _ = try await offThePool { waitForChild(pid) } }
    for id in ids {
        #expect(
            acknowledged("\(dir)/\(id).out").count >= atLeast,
            "writer \(id) did not get going: \((try? String(contentsOfFile: "\(dir)/\(id).err", encoding: .utf8)) ?? "")")
    }
    return Dictionary(uniqueKeysWithValues: ids.map { ($0, acknowledged("\(dir)/\($0).out")) })
}

/// The entries of `writer` (`ID-<n>` lines) in `entries`, as numbers, in file order.
private func numbers(of writer: String, in entries: [String]) -> [Int] {
    entries.compactMap { $0.hasPrefix(writer + "-") ? Int($0.dropFirst(writer.count + 1)) : nil }
}

@Suite("Crash safety of shared files", .timeLimit(.minutes(3)))
struct CrashSafetyTests {

    @Test func twoCallLogWritersKilledMidRunLeaveAnIntactFileWithEveryAcknowledgedCall() async throws {
        let dir = try temporaryDirectory("calllog-kill")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/calls.sqlite"
        let acked = try await runAndKill(mode: "calllog-writer", arguments: { [path, $0] }, ids: ["A", "B"], atLeast: 40, in: dir)

        let db = try SQLiteConnection(path: path)
        defer { db.close() }
        var check: [String] = []
        try db.query("PRAGMA integrity_check") { check.append($0.text(0) ?? "") }
        #expect(check == ["ok"])
        let stored = Set(try CallLog(path: path).recent(1_000_000).compactMap { $0.messages.last?.content })
        for (id, calls) in acked {
            let missing = calls.filter { !stored.contains($0) }
            #expect(missing.isEmpty, "writer \(id) acknowledged \(calls.count) calls; missing: \(missing.prefix(5))")
            let warnings = (try? String(contentsOfFile: "\(dir)/\(id).err", encoding: .utf8)) ?? ""
            #expect(!warnings.contains("writing failed"), "\(warnings)")
        }
    }

    @Test func twoHistoryWritersKilledMidRunKeepEveryAcknowledgedLine() async throws {
        let dir = try temporaryDirectory("history-kill")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/history"
        let acked = try await runAndKill(mode: "history-writer", arguments: { [path, $0, "1000000"] }, ids: ["A", "B"], atLeast: 150, in: dir)

        let history = HistoryFile(path: path, maxEntries: 1_000_000)
        let entries = history.load()
        #expect(history.takeNotices().isEmpty)
        let present = Set(entries)
        for (id, lines) in acked {
            let missing = lines.filter { !present.contains($0) }
            #expect(missing.isEmpty, "writer \(id) acknowledged \(lines.count) lines; missing: \(missing.prefix(5))")
            let mine = numbers(of: id, in: entries)
            #expect(mine == Array(0..<mine.count), "writer \(id)'s lines are all there, in order")
        }
        // The file stays usable: a new line after the crash lands whole.
        #expect(history.append("after the crash"))
        #expect(HistoryFile(path: path, maxEntries: 1_000_000).load().last == "after the crash")
    }

    /// With a small bound both writers compact the file while the other appends: whatever a
    /// compaction keeps is the newest lines, so each writer's surviving lines are an unbroken
    /// run reaching at least its last acknowledged one. A lost line shows up as a gap.
    @Test func twoHistoryWritersCompactingWhileKilledLoseNoAcknowledgedLine() async throws {
        let dir = try temporaryDirectory("history-compact-kill")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/history"
        let acked = try await runAndKill(mode: "history-writer", arguments: { [path, $0, "40"] }, ids: ["A", "B"], atLeast: 300, in: dir)

        let entries = HistoryFile(path: path, maxEntries: 1_000_000).load()
        #expect(entries.count <= 2 * 40 + 1, "the file was compacted")
        var survivors = 0
        for (id, lines) in acked {
            let mine = numbers(of: id, in: entries)
            guard let first = mine.first, let last = mine.last else { continue }
            survivors += 1
            #expect(mine == Array(first...last), "writer \(id): a gap in \(mine)")
            let lastAcked = try #require(lines.last.flatMap { Int($0.dropFirst(id.count + 1)) })
            #expect(last >= lastAcked, "writer \(id) acknowledged line \(lastAcked), but the file ends at \(last)")
        }
        #expect(survivors >= 1)
    }
}
