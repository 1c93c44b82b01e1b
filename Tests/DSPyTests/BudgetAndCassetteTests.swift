// Scoped token budgets (`max_tokens_budget`) and cassettes (record / replay of LM calls),
// against the loopback server.

import Foundation
import TestSupport
import Testing
@testable import DSPy

/// A server that answers every Predict call with `answer: <question>` and 7 tokens of usage;
/// questions containing "deny" get a 401.
private func answeringServer() async throws -> LoopbackServer {
    try await LoopbackServer.start { request in
        let user = request.json?["messages"].arrayValue?.last?["content"].stringValue ?? ""
        if user.contains("deny") { return .json(status: 401, body: #"{"error":{"message":"bad key"}}"#) }
        let question = user.components(separatedBy: "[[ ## question ## ]]\n").last?.components(separatedBy: "\n").first ?? ""
        let doc: Value = [
            "model": "m",
            "choices": [
                [
                    "index": 0, "message": ["role": "assistant", "content": .string("[[ ## answer ## ]]\nA:\(question)\n\n[[ ## completed ## ]]")],
                    "finish_reason": "stop",
                ]
            ],
            "usage": ["prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7],
        ]
        return .json(doc)
    }
}

private func serverLM(_ server: LoopbackServer, cache: Bool = false) throws -> LM {
    try LM("openai/test-model", apiBase: server.baseURL + "/v1", apiKey: "sk-cassette-secret-123", numRetries: 0, cache: cache)
}

private func temporaryPath(_ name: String) -> String {
    NSTemporaryDirectory() + "dspy-\(UUID().uuidString)-\(name)"
}

/// The answering server, settings whose LM talks to it, and a `Predict` to call.
private func budgetSession(cache: Bool = false) async throws -> (LoopbackServer, Settings, Predict) {
    let server = try await answeringServer()
    let settings = Settings()
    try settings.configure(["lm": try serverLM(server, cache: cache)])
    return (server, settings, try Predict("question -> answer"))
}

@Suite struct TokenBudgetTests {
    @Test func callsFailOnceTheScopeSpentItsBudgetAndNothingIsSent() async throws {
        let (server, settings, qa) = try await budgetSession()
        defer { server.shutdownNow() }
        try await settings.bind {
            try await settings.context(["max_tokens_budget": 20]) {
                for i in 1...3 { _ = try await qa(question: "q\(i)") }  // 7, 14, 21 tokens
                #expect(settings.tokenBudget?.spent == 21)
                do {
                    _ = try await qa(question: "q4")
                    Issue.record("the fourth call should exceed the budget")
                } catch let e as TokenBudgetExceeded {
                    #expect(e.limit == 20 && e.spent == 21 && e.outerLevels == 0)
                    #expect(e.description.contains("max_tokens_budget is 20 and 21 tokens are spent"))
                }
            }
            #expect(server.requests.count == 3)
            _ = try await qa(question: "outside the scope")  // no budget here
        }
        #expect(server.requests.count == 4)
    }

    @Test func innerScopesAlsoChargeTheOuterBudget() async throws {
        let (server, settings, qa) = try await budgetSession()
        defer { server.shutdownNow() }
        try await settings.bind {
            try await settings.context(["max_tokens_budget": 10]) {
                let outer = settings.tokenBudget
                try await settings.context(["max_tokens_budget": 100]) {
                    #expect(settings.tokenBudget?.parent === outer)
                    _ = try await qa(question: "a")
                    _ = try await qa(question: "b")
                    await #expect(throws: TokenBudgetExceeded.self) { _ = try await qa(question: "c") }
                    #expect(settings.tokenBudget?.spent == 14)
                }
                #expect(outer?.spent == 14)
                #expect(outer?.remaining == 0)
            }
        }
    }

    @Test func parallelWorkersShareTheScopesBudget() async throws {
        let (server, settings, qa) = try await budgetSession()
        defer { server.shutdownNow() }
        let examples = (0..<10).map { Example(["question": .string("item \($0)")], inputKeys: ["question"]) }
        let (ok, failures) = try await settings.bind {
            try await settings.context(["max_tokens_budget": 35]) {
                let results = try await qa.batch(examples, numThreads: 1, maxErrors: 100, disableProgressBar: true)
                return (results.outputs.compactMap { $0 }.count, results.failures)
            }
        }
        #expect(ok == 5)  // one worker: calls stop exactly when 35 tokens are spent
        #expect(failures.count == 5)
        #expect(failures.allSatisfy { $0.error is TokenBudgetExceeded })
        #expect(server.requests.count == 5)
    }

    @Test func cacheHitsAreFreeAndStillServedWhenTheBudgetIsSpent() async throws {
        let (server, settings, qa) = try await budgetSession(cache: true)
        defer { server.shutdownNow() }
        let question = "cached \(UUID().uuidString)"
        try await settings.bind {
            try await settings.context(["max_tokens_budget": 7]) {
                let first = try await qa(question: question)
                let again = try await qa(question: question)
                #expect(first.answer == again.answer)
                #expect(settings.tokenBudget?.spent == 7)
                await #expect(throws: TokenBudgetExceeded.self) { _ = try await qa(question: "new \(UUID().uuidString)") }
            }
        }
        #expect(server.requests.count == 1)
    }

    @Test func configureSetsAProcessWideBudget() async throws {
        let settings = Settings()
        try settings.configure(["max_tokens_budget": 50])
        #expect(settings.tokenBudget?.limit == 50)
        #expect(settings.tokenBudget?.parent == nil)
        let budget = TokenBudget(limit: 5)
        try settings.context(["max_tokens_budget": budget]) { #expect(settings.tokenBudget === budget) }
    }
}

@Suite struct CassetteTests {
    /// Runs three calls (one of them refused with a 401) and returns what the caller saw.
    private func session(_ lm: LM, cassette: Cassette) async throws -> [String] {
        let settings = Settings()
        try settings.configure(["lm": lm, "cassette": cassette, "track_usage": true])
        let qa = try Predict("question -> answer")
        return await settings.bind {
            var seen: [String] = []
            for q in ["one", "two", "deny me", "one"] {
                do {
                    let p = try await qa(question: q)
                    seen.append("\(p.answer) \((p.lmUsage ?? [:]).mapValues(\.totalTokens))")
                } catch {
                    seen.append("error: \(error)")
                }
            }
            return seen
        }
    }

    /// A cassette at a new path holding `session`'s calls, the server that answered them, and the LM.
    private func recordedSession(_ name: String) async throws -> (String, LoopbackServer, LM) {
        let path = temporaryPath(name)
        let server = try await answeringServer()
        let lm = try serverLM(server)
        _ = try await session(lm, cassette: try Cassette(recordingTo: path))
        return (path, server, lm)
    }

    @Test func aRecordedSessionReplaysIdenticallyWithNoServer() async throws {
        let path = temporaryPath("session.jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let server = try await answeringServer()
        let lm = try serverLM(server)
        let recorder = try Cassette(recordingTo: path)
        let recorded = try await session(lm, cassette: recorder)
        #expect(recorder.recorded == 4)
        #expect(server.requests.count == 4)
        #expect(recorded[2].contains("Authentication failed"))
        try await server.shutdown()

        let player = try Cassette(replaying: path, missPolicy: .fail)
        let replayed = try await session(lm, cassette: player)
        #expect(replayed == recorded)
        #expect(player.replayed == 4)

        let bytes = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!bytes.contains("sk-cassette-secret-123"))
        #expect(!bytes.contains("127.0.0.1"))
        #expect(bytes.split(separator: "\n").count == 5)  // the header and one line per call
    }

    @Test func strictReplayNamesTheMissingRequest() async throws {
        let (path, server, lm) = try await recordedSession("strict.jsonl")
        defer { try? FileManager.default.removeItem(atPath: path); server.shutdownNow() }
        let before = server.requests.count

        let settings = Settings()
        try settings.configure(["lm": lm, "cassette": try Cassette(replaying: path, missPolicy: .fail)])
        let qa = try Predict("question -> answer")
        await settings.bind {
            do {
                _ = try await qa(question: "never recorded")
                Issue.record("a strict cassette must refuse an unknown request")
            } catch let miss as CassetteMiss {
                #expect(miss.description.contains("has no reply for this request"))
                #expect(miss.description.contains("never recorded"))
                #expect(miss.description.contains("--strict"))
            } catch {
                Issue.record("expected CassetteMiss, got \(error)")
            }
        }
        #expect(server.requests.count == before)
    }

    @Test func fallThroughSendsEverythingAfterTheFirstDivergenceToTheLM() async throws {
        let (path, server, lm) = try await recordedSession("diverge.jsonl")
        defer { try? FileManager.default.removeItem(atPath: path); server.shutdownNow() }
        let before = server.requests.count

        let cassette = try Cassette(replaying: path, missPolicy: .fallThrough)
        let settings = Settings()
        try settings.configure(["lm": lm, "cassette": cassette])
        let qa = try Predict("question -> answer")
        try await settings.bind {
            _ = try await qa(question: "one")  // replayed
            #expect(server.requests.count == before)
            let fresh = try await qa(question: "brand new")  // diverges: real LM
            #expect(fresh.answer == "A:brand new")
            _ = try await qa(question: "two")  // recorded, but the session has diverged
        }
        #expect(cassette.hasDiverged)
        #expect(server.requests.count == before + 2)
        #expect(cassette.replayed == 1)
    }

    @Test func recordingOverTheReplayedFileIsRefusedAndLeavesItIntact() async throws {
        let (path, server, _) = try await recordedSession("same.jsonl")
        defer { try? FileManager.default.removeItem(atPath: path); server.shutdownNow() }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let link = path + ".link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: path)
        defer { try? FileManager.default.removeItem(atPath: link) }
        for (replay, record) in [(path, path), (link, path), (path, link), (path, path.replacingOccurrences(of: "/dspy-", with: "/./dspy-"))] {
            #expect { try Cassette(replaying: replay, recordingTo: record) } throws: { error in
                let text = String(describing: error)
                return text.contains("while replaying it: it is the same file") && text.contains("Record to another file")
            }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        // Replaying one file while recording to another works.
        let other = path + ".new"
        defer { try? FileManager.default.removeItem(atPath: other) }
        _ = try Cassette(replaying: path, recordingTo: other)
    }

    @Test func aNewRecordingReplacesAnOldCassetteOnlyOnceItHoldsACall() async throws {
        let (path, server, lm) = try await recordedSession("replace.jsonl")
        defer { try? FileManager.default.removeItem(atPath: path); server.shutdownNow() }
        let old = try Data(contentsOf: URL(fileURLWithPath: path))
        // What a recorder that crashed before its first call left behind (no process has this id).
        let stale = (path as NSString).deletingLastPathComponent + "/." + (path as NSString).lastPathComponent + ".2147483646.recording"
        FileManager.default.createFile(atPath: stale, contents: Data("{}\n".utf8))
        let recorder = try Cassette(recordingTo: path)
        #expect(!FileManager.default.fileExists(atPath: stale), "a dead recorder's file is cleaned up")
        // Until the first call is recorded, a crash would leave the old cassette as it was.
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == old)
        let settings = Settings()
        try settings.configure(["lm": lm, "cassette": recorder])
        _ = try await settings.bind { try await Predict("question -> answer")(question: "fresh") }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2, "the header and the one new call")
        #expect(lines.last?.contains("fresh") == true)
        try recorder.close()
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent)
            .filter { $0.contains((path as NSString).lastPathComponent + ".") && $0.hasSuffix(".recording") }
        #expect(leftovers.isEmpty, "\(leftovers)")
        // A recording that never records still leaves an (empty) cassette when closed.
        let empty = path + ".empty"
        defer { try? FileManager.default.removeItem(atPath: empty) }
        try Cassette(recordingTo: empty).close()
        #expect(try String(contentsOfFile: empty, encoding: .utf8).hasPrefix(#"{"dspy_swift_cassette":1"#))
    }

    @Test func anEmptyCassetteWarnsOrIsRefusedWhenStrict() throws {
        let path = temporaryPath("empty.jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        for content in ["", #"{"dspy_swift_cassette":1}"# + "\n"] {
            try content.write(toFile: path, atomically: true, encoding: .utf8)
            let tolerant = try Cassette(replaying: path, missPolicy: .fallThrough)
            #expect(
                tolerant.warnings == ["The cassette \(path) is empty: it holds no recorded calls. Requests it does not answer go to the real LM."])
            #expect { try Cassette(replaying: path, missPolicy: .fail) } throws: { error in
                String(describing: error).contains("is empty: it holds no recorded calls") && String(describing: error).contains("--record")
            }
        }
    }

    @Test func aCutLastLineIsToleratedWithAWarningRefusedWhenStrictAndDamageElsewhereIsReported() throws {
        let path = temporaryPath("damaged.jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let header = #"{"dspy_swift_cassette":1}"#
        let entry =
            #"{"key":"abc","model":"m","messages":[],"parameters":{},"response":{"choices":[{"text":"hi","finish_reason":"stop"}],"usage":null,"model":null,"cache_hit":false,"raw":null}}"#
        try (header + "\n" + entry + "\n" + #"{"key":"de"#).write(toFile: path, atomically: true, encoding: .utf8)
        let tolerant = try Cassette(replaying: path, missPolicy: .fallThrough)
        #expect(tolerant.replayed == 0)
        #expect(tolerant.warnings.count == 1)
        #expect(tolerant.warnings.first?.contains("The last line (3) of the cassette \(path) is cut short") == true, "\(tolerant.warnings)")
        #expect { try Cassette(replaying: path, missPolicy: .fail) } throws: { error in
            let text = String(describing: error)
            return text.contains("is cut short") && text.contains("without --strict")
        }

        try (header + "\n" + #"{"key": oops"# + "\n" + entry + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect { try Cassette(replaying: path) } throws: { String(describing: $0).contains("damaged at line 2") }

        try (#"{"something":"else"}"# + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect { try Cassette(replaying: path) } throws: { String(describing: $0).contains("is not a DSPy cassette") }
        #expect { try Cassette(replaying: path + ".missing") } throws: { String(describing: $0).contains("Cannot read the cassette") }
    }
}

/// A compile's calls are ordinary calls: a token budget stops it, and a cassette records it
/// so that it replays offline to the same program.
@Suite struct CompileBudgetAndCassetteTests {
    let trainset = (1...4).map { Example(["question": .string("q\($0)"), "answer": .string("A:q\($0)")]).withInputs("question") }

    @Test func aCompileStopsWhereItsTokenBudgetIsSpent() async throws {
        let (server, settings, qa) = try await budgetSession()
        defer { server.shutdownNow() }
        let optimizer = BootstrapFewShot(metric: .answerExactMatch, maxBootstrappedDemos: 4, report: .silent)
        await settings.bind {
            do {
                _ = try await settings.context(["max_tokens_budget": 10]) { try await optimizer.compile(qa, trainset: trainset) }
                Issue.record("the third bootstrap call should exceed the budget")
            } catch let e as TokenBudgetExceeded {
                #expect(e.limit == 10 && e.spent == 14)
            } catch {
                Issue.record("expected TokenBudgetExceeded, got \(error)")
            }
        }
        #expect(server.requests.count == 2)
    }

    @Test func aRecordedCompileReplaysOfflineToTheSameProgram() async throws {
        let path = temporaryPath("compile.jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let server = try await answeringServer()
        let lm = try serverLM(server)
        let optimizer = BootstrapFewShotWithRandomSearch(
            metric: .answerExactMatch, maxBootstrappedDemos: 2, numCandidatePrograms: 2,
            numThreads: 2, displayProgress: false, report: .silent)
        let trainset = self.trainset
        // Every candidate's state and score, best first.
        func compile(_ cassette: Cassette) async throws -> [Value] {
            let settings = Settings()
            try settings.configure(["lm": lm, "cassette": cassette])
            return try await settings.bind {
                try await optimizer.search(try Predict("question -> answer"), trainset: trainset).candidates
                    .map { ["score": .double($0.score), "seed": .int($0.seed), "state": $0.program.dumpState()] }
            }
        }
        let recorder = try Cassette(recordingTo: path)
        let recorded = try await compile(recorder)
        try recorder.close()
        #expect(recorder.recorded == server.requests.count)
        #expect(recorder.recorded > trainset.count)
        try await server.shutdown()

        let player = try Cassette(replaying: path, missPolicy: .fail)
        let replayed = try await compile(player)
        #expect(replayed == recorded)
        #expect(player.replayed == recorder.recorded)
        #expect(recorded.count == 5)
        #expect(recorded.contains { $0["state"]["demos"].arrayValue?.isEmpty == false })
    }
}
