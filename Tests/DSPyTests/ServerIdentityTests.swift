// An LM's server is part of what a call is: the response cache never answers one server's
// question with another's reply, the call log records where each call went, and failures that
// can only repeat (no key, no such host) are said at once instead of after retries.

import Foundation
import TestSupport
import Testing
@testable import DSPy

@Suite struct ServerIdentityTests {
    @Test func twoServersWithOneModelNameKeepTheirOwnCacheEntries() async throws {
        let a = try await LoopbackServer.start { _ in completionReply("from A") }
        let b = try await LoopbackServer.start { _ in completionReply("from B") }
        defer { a.shutdownNow(); b.shutdownNow() }
        let cache = try ResponseCache()
        let lmA = try LM("openai/same", apiBase: a.baseURL + "/v1", apiKey: "k", cache: true, responseCache: cache)
        let lmB = try LM("openai/same", apiBase: b.baseURL + "/v1", apiKey: "k", cache: true, responseCache: cache)
        let messages: [Message] = [.user("which server?")]
        #expect(try await lmA.call(messages: messages, parameters: [:]).outputs == ["from A"])
        #expect(try await lmB.call(messages: messages, parameters: [:]).outputs == ["from B"])
        let again = try await lmA.call(messages: messages, parameters: [:])
        #expect(again.outputs == ["from A"] && again.cacheHit)
        #expect(a.requests.count == 1 && b.requests.count == 1)
    }

    @Test func theCallLogRecordsEachCallsServer() async throws {
        let dir = try temporaryDirectory("calllog-server")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await LoopbackServer.start { _ in completionReply("ok") }
        defer { server.shutdownNow() }
        let log = try CallLog(path: dir + "/calls.sqlite")
        let settings = Settings()
        try settings.configure(["call_log": log])
        let lm = try LM("openai/m", apiBase: server.baseURL + "/v1", apiKey: "k")
        _ = try await settings.bind { try await lm.call(messages: [.user("x")], parameters: [:]) }
        _ = try await settings.bind { try await LM("dummy").call(messages: [.user("x")], parameters: [:]) }
        var records: [CallRecord] = []
        for _ in 0..<200 where records.count < 2 {
            records = try log.recent(10)
            if records.count < 2 { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(records.map(\.server) == [server.baseURL + "/v1", nil])
    }

    @Test func aCallLogFromBeforeServersWereKeptIsUpgraded() throws {
        let dir = try temporaryDirectory("calllog-v1")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/calls.sqlite"
        let old = try SQLiteConnection(path: path)
        try old.execute(
            """
            CREATE TABLE calls(id INTEGER PRIMARY KEY AUTOINCREMENT, started REAL NOT NULL, duration REAL NOT NULL,
                model TEXT NOT NULL, messages TEXT NOT NULL, parameters TEXT NOT NULL, outputs TEXT NOT NULL,
                prompt_tokens INTEGER, completion_tokens INTEGER, total_tokens INTEGER, cached_tokens INTEGER,
                cache_hit INTEGER NOT NULL, error_kind TEXT, error_message TEXT, call_id TEXT);
            INSERT INTO calls(started, duration, model, messages, parameters, outputs, cache_hit)
                VALUES (1.0, 0.5, 'openai/old', '[]', '{}', '["kept"]', 0);
            PRAGMA user_version = 1;
            """)
        let log = try CallLog(path: path)
        let records = try log.recent(5)
        #expect(records.map(\.model) == ["openai/old"] && records.map(\.outputs) == [["kept"]])
        #expect(records.first?.server == nil)
    }
}

@Suite struct LMErrorWordingTests {
    @Test func aServerMessageEndingASentenceGetsNoSecondPeriod() async throws {
        let server = try await LoopbackServer.start { _ in .json(status: 500, ["error": ["message": "boom."]]) }
        defer { server.shutdownNow() }
        let lm = try LM("openai/m", apiBase: server.baseURL + "/v1", apiKey: "k", numRetries: 0)
        do {
            _ = try await lm.call(messages: [.user("x")], parameters: [:])
            Issue.record("expected an error")
        } catch let e as LMError {
            #expect(e.message.hasSuffix("(HTTP 500): boom."), "\(e.message)")
            #expect(!e.description.contains("retried automatically"))
        }
    }

    @Test func aHostWithoutAnAddressIsNotRetried() async throws {
        let lm = try LM("openai/m", apiBase: "http://no-such-host.invalid/v1", apiKey: "k", numRetries: 3)
        do {
            _ = try await lm.call(messages: [.user("x")], parameters: [:])
            Issue.record("expected an error")
        } catch let e as LMError {
            #expect(e.kind == .hostNotFound, "\(e)")
            #expect(e.attempts == 1)
            #expect(e.message == "Could not resolve the host name no-such-host.invalid: no address for it.")
        }
    }

    @Test func aProvidersOwnAPIWithoutAKeyFailsBeforeAnyRequest() async throws {
        for (model, variable) in [("openai/gpt-4o", "OPENAI_API_KEY"), ("anthropic/claude-sonnet-4", "ANTHROPIC_API_KEY")] {
            let lm = try LM(model, apiKey: "", numRetries: 3)
            do {
                _ = try await lm.call(messages: [.user("x")], parameters: [:])
                Issue.record("expected an error")
            } catch let e as LMError {
                #expect(e.kind == .authentication && e.attempts == 1)
                #expect(e.message == "No API key: set \(variable) or pass apiKey: to LM(...).")
            }
        }
        // A server of one's own needs no key: the request is sent (and refused here).
        let lm = try LM("openai/m", apiBase: "http://127.0.0.1:\(try LoopbackServer.refusedPort())/v1", apiKey: "", numRetries: 0)
        do {
            _ = try await lm.call(messages: [.user("x")], parameters: [:])
        } catch let e as LMError {
            #expect(e.kind == .connectionRefused, "\(e)")
        }
    }
}

/// A local llama.cpp server is given the output fields' JSON schema, so a model that ignores
/// the ChatAdapter's field markers still answers with fields that parse.
@Suite struct LocalModelSchemaTests {
    @Test func theJSONFallbackSendsTheSchemaToALocalServer() async throws {
        let server = try await LoopbackServer.start { request in
            // What a grammar-constrained small model gives: prose first, then schema-shaped JSON.
            let constrained = request.json?["response_format"]["schema"].isNull == false
            return completionReply(constrained ? #"{"answer": "4", "confidence": 0.5}"# : "The answer is four, I think.")
        }
        defer { server.shutdownNow() }
        let lm = try LM("local/gemma-3-270m", apiBase: server.baseURL + "/v1", numRetries: 0, cache: false)
        let qa = try Predict("question -> answer, confidence: float", lm: lm)
        let p = try await qa(question: "What is 2 + 2?")
        #expect(p["answer"] == .string("4") && p["confidence"] == .double(0.5))
        let sent = try #require(server.requests.last?.json)
        #expect(
            JSON.pythonDumps(sent["response_format"])
                == #"{"type": "json_object", "schema": {"type": "object", "properties": {"answer": {"type": "string"}, "confidence": {"type": "number"}}, "required": ["answer", "confidence"]}}"#
        )
        #expect(server.requests.first?.json?["response_format"].isNull == true, "the ChatAdapter's own request asks for no format")
    }
}

/// One rule for the per-user directories of the cache, the history, the call log and the
/// startup file.
@Suite struct UserDirectoriesTests {
    @Test func anAbsoluteXDGVariableWins() {
        #expect(
            UserDirectories.path(.data, "dspy-repl/history", environment: ["XDG_DATA_HOME": "/xdg/data", "HOME": "/home/u"])
                == "/xdg/data/dspy-repl/history")
        #expect(
            UserDirectories.path(.config, "dspy-repl/startup.dspy", environment: ["XDG_CONFIG_HOME": "/xdg/config/"])
                == "/xdg/config/dspy-repl/startup.dspy")
        #expect(ResponseCache.defaultDirectory(environment: ["XDG_CACHE_HOME": "/xdg/cache"]) == "/xdg/cache/dspy-swift")
    }

    @Test func aRelativeOrEmptyOneIsIgnored() {
        for value in ["relative", ""] {
            #expect(
                UserDirectories.path(.data, "dspy-repl/history", environment: ["XDG_DATA_HOME": value, "HOME": "/home/u/"])
                    == "/home/u/.local/share/dspy-repl/history")
            #expect(UserDirectories.path(.config, "x", environment: ["XDG_CONFIG_HOME": value, "HOME": "/home/u"]) == "/home/u/.config/x")
            #expect(ResponseCache.defaultDirectory(environment: ["XDG_CACHE_HOME": value, "HOME": "/home/u"]) == "/home/u/.cache/dspy-swift")
        }
        #expect(ResponseCache.defaultDirectory(environment: ["DSPY_CACHEDIR": "/c", "XDG_CACHE_HOME": "/xdg"]) == "/c")
    }
}

/// Errors that explain themselves in parts: a front end renders them without parsing text.
@Suite struct DSPyErrorTests {
    @Test func partsAndDescriptionAgree() {
        var e = LMError(.rateLimit, "Rate limited by h:1 (HTTP 429).", model: "m", hint: "Slow down.")
        e.attempts = 3
        #expect(e.summary == "[m] Rate limited by h:1 (HTTP 429). (gave up after 3 attempts)")
        #expect(e.hints == ["Slow down."] && e.code == "rateLimit")
        #expect(e.description == "[m] Rate limited by h:1 (HTTP 429). (gave up after 3 attempts)\nhint: Slow down.")
        let budget = TokenBudgetExceeded(model: "m", limit: 10, spent: 12, outerLevels: 0)
        #expect(budget.code == "tokenBudgetExceeded" && budget.hints.count == 1)
        #expect(budget.description == budget.summary + "\nhint: " + budget.hints[0])
        let errors: [any DSPyError] = [e, budget, CassetteError("unreadable")]
        #expect(errors.map(\.code) == ["rateLimit", "tokenBudgetExceeded", "cassetteError"])
        #expect(CassetteError("unreadable").description == "unreadable")
    }
}
