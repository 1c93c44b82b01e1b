import Foundation
import Synchronization
import Testing
@testable import DSPy

/// Runs `body` on a plain OS thread (no task) and returns its result.
func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { c in
        let t = Thread { c.resume(returning: body()) }
        t.start()
    }
}

final class Counter: Sendable {
    let value = Atomic<Int>(0)
}

@Suite struct SettingsTests {
    @Test func hasEveryDSPyDefault() {
        let s = Settings()
        #expect(Settings.defaultKeys.count == 21)
        for k in Settings.defaultKeys { #expect(s.contains(k), "missing \(k)") }
        #expect(s.numThreads == 8 && s.asyncMaxWorkers == 8 && s.maxErrors == 10)
        #expect(s.maxHistorySize == 10_000 && s.maxTraceSize == 10_000)
        #expect(s.trackUsage == false && s.disableHistory == false && s.provideTraceback == false)
        #expect(s.warnOnTypeMismatch && !s.allowToolAsyncSyncConversion)
        #expect(s.lm == nil && s.adapter == nil && s.callbacks.isEmpty && s.callerModules.isEmpty)
        #expect(s.trace != nil)
        #expect(s.value("no_such_key") == nil)
    }

    @Test func contextNestsAndRestores() throws {
        let s = Settings()
        try s.configure(["num_threads": 2, "custom": "global"])
        try s.context(["num_threads": 4]) {
            #expect(s.numThreads == 4)
            try s.context(["max_errors": 1, "custom": "inner"]) {
                #expect(s.numThreads == 4 && s.maxErrors == 1)
                #expect(s.get("custom", as: String.self) == "inner")
                #expect(s.scopeDepth == 2)
            }
            #expect(s.maxErrors == 10 && s.get("custom", as: String.self) == "global")
        }
        #expect(s.numThreads == 2 && s.scopeDepth == 0)
    }

    @Test func contextRestoresOnError() async {
        struct Boom: Error {}
        let s = Settings()
        #expect(throws: Boom.self) { try s.context(["num_threads": 3]) { throw Boom() } }
        await #expect(throws: Boom.self) {
            try await s.context(["num_threads": 3]) {
                try await Task.sleep(for: .milliseconds(1)); throw Boom()
            }
        }
        #expect(s.numThreads == 8)
    }

    @Test func overridesAreADeltaSoConfigureInsideAScopeIsSeen() throws {
        let s = Settings()
        try s.context(["num_threads": 4]) {
            try s.configure(["max_errors": 3, "num_threads": 99])
            #expect(s.maxErrors == 3)  // not overridden here: the new global value shows
            #expect(s.numThreads == 4)  // overridden here: the scope wins
        }
        #expect(s.numThreads == 99)
    }

    @Test func effectiveSettingsNameTheirLayer() throws {
        let s = Settings()
        try s.configure(["num_threads": 2])
        try s.context(["max_errors": 1]) {
            try s.context(["track_usage": true]) {
                let e = Dictionary(uniqueKeysWithValues: s.effective().map { ($0.key, $0.origin) })
                #expect(e["num_threads"] == .configure)
                #expect(e["max_errors"] == .scope(1))
                #expect(e["track_usage"] == .scope(2))
                #expect(e["async_max_workers"] == .default)
            }
        }
    }

    @Test func instancesAreIndependent() throws {
        let a = Settings(), b = Settings()
        try a.context(["num_threads": 1]) {
            #expect(a.numThreads == 1)
            #expect(b.numThreads == 8)
        }
    }

    @Test func ownerRuleRejectsAnotherTask() async throws {
        let s = Settings()
        try s.configure(["num_threads": 1])
        try s.configure(["num_threads": 2])  // same task: fine
        let error = await Task { () -> String? in
            do { try s.configure(["num_threads": 3]); return nil } catch { return "\(error)" }
        }.value
        #expect(
            error
                == "configure(...) can only be called from the same async task that called it first. Please use `context(...)` in other async tasks instead."
        )
        #expect(s.numThreads == 2)
        // context is allowed from any task
        let seen = try await Task { try s.context(["num_threads": 5]) { s.numThreads } }.value
        #expect(seen == 5)
    }

    @Test func ownerRuleRejectsAThread() async throws {
        let s = Settings()
        try s.configure(["num_threads": 1])
        let error = await onThread { () -> String? in
            do { try s.configure(["num_threads": 3]); return nil } catch { return "\(error)" }
        }
        #expect(error?.hasPrefix("DSPy settings can only be changed by the thread that initially configured it.") == true)
    }

    @Test func firstThreadOwnsWhenConfiguredOutsideTasks() async throws {
        let s = Settings()
        let first = await onThread { () -> Bool in (try? s.configure(["num_threads": 1])) != nil }
        #expect(first)
        #expect(throws: SettingsOwnershipError.self) { try s.configure(["num_threads": 2]) }
    }

    @Test func anyTaskMayConfigureWhenAllowed() async throws {
        let s = Settings()
        s.allowsConfigureFromAnyTask = true
        try s.configure(["num_threads": 1])
        try await Task { try s.configure(["num_threads": 2]) }.value
        let fromThread = await onThread { (try? s.configure(["num_threads": 3])) != nil }
        #expect(fromThread)
        #expect(s.numThreads == 3)
    }

    @Test func resetOwnerHandsOverConfiguration() async throws {
        let s = Settings()
        try s.configure(["num_threads": 1])
        s.resetOwner()
        try await Task { try s.configure(["num_threads": 2]) }.value
        #expect(s.numThreads == 2)
    }

    @Test func concurrentFirstConfigureHasExactlyOneOwner() async {
        let s = Settings()
        // Task ids are reused once a task ends, so keep all 64 alive until each has tried.
        let started = Counter(), tried = Counter()
        let successes = await withTaskGroup(of: Bool.self) { g in
            for i in 0..<64 {
                g.addTask {
                    started.value.add(1, ordering: .relaxed)
                    while started.value.load(ordering: .relaxed) < 64 { await Task.yield() }
                    let ok = (try? s.configure(["num_threads": i])) != nil
                    tried.value.add(1, ordering: .relaxed)
                    while tried.value.load(ordering: .relaxed) < 64 { await Task.yield() }
                    return ok
                }
            }
            return await g.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(successes == 1)
    }

    @Test func scopesFollowStructuredChildTasks() async throws {
        let s = Settings()
        try await s.context(["custom": "outer"]) {
            async let child = s.get("custom", as: String.self)
            #expect(await child == "outer")
            let fromGroup = await withTaskGroup(of: String?.self) { g in
                for _ in 0..<4 { g.addTask { s.get("custom", as: String.self) } }
                return await g.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(fromGroup == ["outer", "outer", "outer", "outer"])
            let unstructured = await Task { s.get("custom", as: String.self) }.value
            #expect(unstructured == "outer")
        }
    }

    @Test func scopesDoNotReachDetachedTasksOrThreadsUnlessCaptured() async throws {
        let s = Settings()
        try await s.context(["custom": "outer"]) {
            let detached = await Task.detached { s.get("custom", as: String.self) }.value
            #expect(detached == nil)
            let thread = await onThread { s.get("custom", as: String.self) }
            #expect(thread == nil)

            let snapshot = s.capture()
            let detachedCaptured = await Task.detached { snapshot.apply { s.get("custom", as: String.self) } }.value
            #expect(detachedCaptured == "outer")
            let threadCaptured = await onThread { snapshot.apply { s.get("custom", as: String.self) } }
            #expect(threadCaptured == "outer")
            let asyncApply = await Task.detached {
                await snapshot.apply { () async -> String? in
                    await Task.yield()
                    return s.get("custom", as: String.self)
                }
            }.value
            #expect(asyncApply == "outer")
        }
    }

    @Test func childChangesDoNotLeakToParentOrSiblings() async throws {
        let s = Settings()
        try await s.context(["custom": "parent"]) {
            try await withThrowingTaskGroup(of: Void.self) { g in
                for i in 0..<8 {
                    g.addTask {
                        try await s.context(["custom": "child\(i)"]) {
                            await Task.yield()
                            #expect(s.get("custom", as: String.self) == "child\(i)")
                        }
                    }
                }
            }
            #expect(s.get("custom", as: String.self) == "parent")
        }
    }

    @Test func stressTenThousandTasksEachSeeOnlyTheirOwnScope() async throws {
        let s = Settings()
        let wrong = try await withThrowingTaskGroup(of: Int.self) { g in
            for i in 0..<10_000 {
                g.addTask {
                    try await s.context(["custom": i, "num_threads": i % 97 + 1]) {
                        var bad = 0
                        for _ in 0..<3 {
                            await Task.yield()
                            if s.get("custom", as: Int.self) != i || s.numThreads != i % 97 + 1 { bad += 1 }
                            let inner = try await s.context(["max_errors": i]) { () async -> Bool in
                                await Task.yield()
                                return s.maxErrors == i && s.get("custom", as: Int.self) == i
                            }
                            if !inner { bad += 1 }
                        }
                        return bad
                    }
                }
            }
            return try await g.reduce(0, +)
        }
        #expect(wrong == 0)
        #expect(s.get("custom", as: Int.self) == nil)
    }
}

@Suite struct SettingsFileTests {
    func tempPath() -> String { NSTemporaryDirectory() + "dspy-settings-\(CallID.make()).json" }

    @Test func saveAndLoadRoundTripWithoutSecrets() throws {
        let s = Settings()
        let lm = try LM("openai/gpt-4o-mini", temperature: 0.2, maxTokens: 100, apiBase: "http://127.0.0.1:9/v1", apiKey: "sk-very-secret")
        try s.configure(["lm": lm, "adapter": JSONAdapter(), "track_usage": true, "callbacks": [EventLog()] as [any Callback], "my_key": "mine"])
        let path = tempPath()
        let report = try s.save(to: path)
        #expect(report.skippedKeys.contains("callbacks") && report.skippedKeys.contains("trace"))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains("sk-very-secret"))
        #expect(text.contains("\"model\": \"openai/gpt-4o-mini\""))

        let loaded = try Settings.load(from: path)
        let t = Settings()
        try t.configure(loaded)
        #expect(t.lm?.model == "openai/gpt-4o-mini")
        #expect(t.lm?.kwargs["temperature"] == .double(0.2) && t.lm?.kwargs["max_tokens"] == 100)
        #expect(t.lm?.apiBase == LM.defaultAPIBase(for: .openai))  // api_base dropped unless allowed
        #expect(t.adapter is JSONAdapter)
        #expect(t.trackUsage)
        #expect(t.get("my_key", as: String.self) == "mine")
        let trusted = try Settings.load(from: path, allowAPIBase: true)
        #expect((trusted["lm"] as? LM)?.apiBase == "http://127.0.0.1:9/v1")
    }

    @Test func excludeKeysLeavesThemOut() throws {
        let s = Settings()
        try s.configure(["adapter": ChatAdapter(), "track_usage": true])
        let path = tempPath()
        try s.save(to: path, excludeKeys: ["adapter", "track_usage"])
        let loaded = try Settings.load(from: path)
        #expect(loaded["adapter"] == nil && loaded["track_usage"] == nil)
        #expect(loaded["num_threads"] as? Int == 8)
    }

    @Test func badFilesGiveClearErrors() throws {
        let path = tempPath()
        #expect { try Settings.load(from: path) } throws: { "\($0)".hasPrefix("Cannot read settings file") }
        try Data("not json".utf8).write(to: URL(fileURLWithPath: path))
        #expect { try Settings.load(from: path) } throws: { "\($0)".contains("is not valid JSON") }
        try Data("{\"a\": 1}".utf8).write(to: URL(fileURLWithPath: path))
        #expect { try Settings.load(from: path) } throws: { "\($0)".contains("is not a DSPy settings file") }
    }
}
