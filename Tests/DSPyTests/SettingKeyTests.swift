import Foundation
import Testing
@testable import DSPy

@Suite struct SettingKeyTests {
    @Test func typedKeysReadAndWrite() async throws {
        let s = Settings()
        #expect(s[.numThreads] == 8 && s[.maxErrors] == 10 && s[.trackUsage] == false && s[.lm] == nil)
        #expect(s[.temperature] == nil)
        try await s.bind {
            try configure(.numThreads(3), .trackUsage(true))
            #expect(s[.numThreads] == 3 && s.trackUsage)
            try await context(.numThreads(5), .temperature(0.25)) {
                #expect(s[.numThreads] == 5 && s[.temperature] == 0.25)
                let e = Dictionary(uniqueKeysWithValues: s.effective().map { ($0.key, $0.origin) })
                #expect(e["temperature"] == .scope(1) && e["num_threads"] == .scope(1) && e["track_usage"] == .configure)
            }
            #expect(s[.numThreads] == 3 && s[.temperature] == nil)
            #expect(!s.effective().contains { $0.key == "temperature" })
        }
    }

    @Test func aWrongValueIsRefusedNotReplacedByTheDefault() throws {
        let s = Settings()
        let error = #expect(throws: SettingValueError.self) { try s.configure(["num_threads": 4.5]) }
        #expect(error?.summary == "num_threads must be a whole number of workers, at least 1, got 4.5")
        #expect(s.numThreads == 8 && !s.effective().contains { $0.key == "num_threads" && $0.origin == .configure })
        #expect(throws: SettingValueError.self) { try s.context(["num_threads": 0]) { Issue.record("body ran") } }
        #expect(throws: SettingValueError.self) { try s.context(["track_usage": "yes"]) { Issue.record("body ran") } }
        #expect(throws: SettingValueError.self) { try s.context(["lm": "openai/gpt-4o-mini"]) { Issue.record("body ran") } }
        #expect(throws: SettingValueError.self) { try s.context(["top_p": 1.5]) { Issue.record("body ran") } }
        #expect(throws: SettingValueError.self) { try s.context(["stop": 3]) { Issue.record("body ran") } }
        // A whole float is a whole number; custom keys keep whatever they are given.
        try s.context(["num_threads": 4.0, "my_key": 4.5]) {
            #expect(s.numThreads == 4)
            #expect(s.get("my_key", as: Double.self) == 4.5)
        }
    }

    @Test func lmKnobsApplyToWhicheverLMCallsAtCallTime() async throws {
        let a = RecordingBackend { _ in "[[ ## answer ## ]]\na" }
        let b = RecordingBackend { _ in "[[ ## answer ## ]]\nb" }
        let lmA = LM(model: "a", backend: a, temperature: 0.0, maxTokens: 100, cache: false)
        let lmB = LM(model: "b", backend: b, cache: false)
        let s = Settings()
        s.allowsConfigureFromAnyTask = true
        let qa = try Predict("question -> answer")
        try await s.bind {
            try configure(.lm(lmA))
            let answer = try await context(.temperature(0.5), .stop(.array([.string("END")]))) { () async throws -> String? in
                try configure(.lm(lmB))
                return try await qa(question: "q").answer.stringValue
            }
            #expect(answer == "b")
            _ = try await qa(question: "q2")  // outside the scope: B's own knobs only
        }
        #expect(a.seen.isEmpty)
        let sent = b.seen
        #expect(sent.count == 2)
        #expect(sent.first?.parameters["temperature"] == .double(0.5))
        #expect(sent.first?.parameters["stop"] == .array([.string("END")]))
        #expect(sent.last?.parameters["temperature"] == nil || sent.last?.parameters["temperature"] == .null)
        #expect(sent.last?.parameters["stop"] == nil)
    }

    @Test func knobsLayerUnderCallParametersAndOverLMDefaults() async throws {
        let backend = RecordingBackend { _ in "[[ ## answer ## ]]\nx" }
        let lm = LM(model: "m", backend: backend, temperature: 0.0, maxTokens: 100, cache: false)
        let qa = try Predict("question -> answer")
        qa.config = ["max_tokens": .int(7)]
        let s = Settings()
        try await s.bind {
            try await context(.lm(lm), .temperature(1.0), .maxTokens(50)) {
                try await context(.temperature(0.3)) { _ = try await qa(question: "q") }
            }
        }
        #expect(backend.seen.first?.parameters["temperature"] == .double(0.3))  // inner scope over outer over LM
        #expect(backend.seen.first?.parameters["max_tokens"] == .int(7))  // the predictor's config over the scope
    }

    @Test func theConfigureOwnerIsNotInheritedByALaterTask() async throws {
        let s = Settings()
        try await Task { try s.configure(["num_threads": 2]) }.value
        // The owner task has ended; tasks made afterwards may get its memory, never its ownership.
        var allowed = 0
        for i in 0..<200 {
            if (try? await Task { try s.configure(["num_threads": i % 7 + 1]) }.value) != nil { allowed += 1 }
        }
        #expect(allowed == 0)
        #expect(s.numThreads == 2)
        s.resetOwner()
        try await Task { try s.configure(["num_threads": 6]) }.value
        #expect(s.numThreads == 6)
    }

    @Test func ownershipErrorsHaveKinds() async throws {
        let s = Settings()
        try s.configure(["num_threads": 1])
        let error = await Task { () -> SettingsOwnershipError? in
            do { try s.configure(["num_threads": 3]); return nil } catch let e as SettingsOwnershipError { return e } catch { return nil }
        }.value
        #expect(error?.kind == .otherTask)
        #expect(error?.code == "otherTask")
    }

    @Test func everyRegisteredKeyHasASummaryAndDSPysKeysComeFirst() {
        #expect(Array(Settings.registeredKeys.prefix(21).map(\.name)) == Settings.defaultKeys)
        #expect(Set(Settings.registeredKeys.map(\.name)).count == Settings.registeredKeys.count)
        for key in Settings.registeredKeys { #expect(!key.summary.isEmpty, "\(key.name)") }
        #expect(Settings.key(named: "temperature") != nil && Settings.key(named: "my_key") == nil)
    }

    @Test func tokenBudgetKeyOpensABudgetInsideTheEnclosingOne() async throws {
        let s = Settings()
        try await s.bind {
            try await context(.tokenBudget(limit: 100)) {
                let outer = try #require(s.tokenBudget)
                try await context(.tokenBudget(limit: 10)) {
                    let inner = try #require(s.tokenBudget)
                    #expect(inner.limit == 10 && inner !== outer)
                }
            }
        }
    }
}
