// ReAct: the instructions and inner signatures, the loop with sync and async tools, tool errors
// and unparseable tool choices as observations, max iterations, trajectory truncation on context
// overflow, and one run against a real HTTP server.

import Foundation
import OrderedCollections
import TestSupport
import Testing
@testable import DSPy

private let getWeather = Tool(name: "get_weather", description: "Get the weather for a city.", args: ["city": ["type": "string"]]) { args in
    .string("The weather in \(args["city"]?.pythonStr ?? "?") is sunny.")
}

private struct ToolFailure: Error, CustomStringConvertible {
    var description: String { "tool blew up" }
}

private let failingTool = Tool(name: "failing_tool", description: "Always fails.", args: [:]) { _ -> Value in throw ToolFailure() }

private let echoTool = Tool(name: "echo", args: ["text": ["type": "string"]]) { args in .string("Echoed: \(args["text"]?.pythonStr ?? "")") }

private func step(_ thought: String, _ tool: String, _ args: Value = [:]) -> OrderedDictionary<String, Value> {
    ["next_thought": .string(thought), "next_tool_name": .string(tool), "next_tool_args": args]
}

private let contextOverflow = LMError(.contextWindowExceeded, "prompt too long")

@Suite struct ReActTests {
    @Test func instructionsAndSignaturesMatchDSPy() throws {
        let agent = try ReAct("question -> answer", tools: [getWeather])
        let expected = """
            Given the fields `question`, produce the fields `answer`.

            You are an Agent. In each episode, you will be given the fields `question` as input. And you can see your past trajectory so far.
            Your goal is to use one or more of the supplied tools to collect any necessary information for producing `answer`.

            To do this, you will interleave next_thought, next_tool_name, and next_tool_args in each turn, and also when finishing the task.
            After each tool call, you receive a resulting observation, which gets appended to your trajectory.

            When writing next_thought, you may reason about the current situation and plan for future steps.
            When selecting the next_tool_name and its next_tool_args, the tool must be one of:

            (1) get_weather, whose description is <desc>Get the weather for a city.</desc>. It takes arguments {'city': {'type': 'string'}}.
            (2) finish, whose description is <desc>Marks the task as complete. That is, signals that all information for producing the outputs, i.e. `answer`, are now available to be extracted.</desc>. It takes arguments {}.
            When providing `next_tool_args`, the value inside the field must be in JSON format
            """
        #expect(agent.react.signature.instructions == expected)
        #expect(agent.react.signature.signatureString == "question, trajectory -> next_thought, next_tool_name, next_tool_args")
        #expect(agent.react.signature.field(named: "next_tool_name")?.type.pythonName == "Literal['get_weather', 'finish']")
        #expect(agent.react.signature.field(named: "next_tool_args")?.type.pythonName == "dict[str, Any]")
        #expect(agent.extract.signature.signatureString == "question, trajectory -> reasoning, answer")
        #expect(agent.extract.signature.instructions == "Given the fields `question`, produce the fields `answer`.")
        #expect(agent.namedPredictors.map(\.name) == ["react", "extract.predict"])

        // In the system message every instruction line is indented by 8 spaces.
        let system = ChatAdapter().format(signature: agent.react.signature, demos: [], inputs: ["question": "q", "trajectory": ""])[0].content
        let indented = expected.split(separator: "\n", omittingEmptySubsequences: false).map { "\n        " + $0 }.joined()
        #expect(system.hasSuffix("In adhering to this structure, your objective is: " + indented))
        #expect(
            system.contains(
                "[[ ## next_tool_name ## ]]\n{next_tool_name}        # note: the value you produce must exactly match (no extra characters) one of: get_weather; finish"
            ))
        #expect(
            system.contains(
                "[[ ## next_tool_args ## ]]\n{next_tool_args}        # note: the value you produce must adhere to the JSON schema: {\"type\": \"object\", \"additionalProperties\": true}"
            ))
    }

    @Test func builtInFinishReplacesAUserToolOfThatName() throws {
        let impostor = Tool(name: "finish", description: "Not the real one.") { _ in "fake" }
        let agent = try ReAct("question -> answer", tools: [impostor, getWeather])
        #expect(Array(agent.tools.keys) == ["finish", "get_weather"])
        #expect(try agent.tools["finish"]?.call() == "Completed.")
        #expect(agent.react.signature.instructions.contains("(1) finish, whose description is <desc>Marks the task as complete."))
    }

    @Test func runsSyncAndAsyncToolsThenExtracts() async throws {
        let asyncRan = Locked(false)
        let lookup = Tool(name: "lookup", description: "Look up a fact.", args: ["key": ["type": "string"]]) { args async throws -> Value in
            try await Task.sleep(for: .milliseconds(5))
            asyncRan.withLock { $0 = true }
            return .string("fact about \(args["key"]?.pythonStr ?? "")")
        }
        let lm = LM.dummy(answers: [
            step("I need to add two numbers.", "add", ["x": 1, "y": 2]),
            step("Now look it up.", "lookup", ["key": "three"]),
            step("I have everything, now I can finish.", "finish"),
            ["reasoning": "I added the numbers and looked it up.", "answer": "3"],
        ])
        let agent = try ReAct("question -> answer", tools: [addTool, lookup])
        let result = try await Settings.shared.context(["lm": lm]) { try await agent(question: "What is 1 + 2?") }

        let expected: Value = [
            "thought_0": "I need to add two numbers.", "tool_name_0": "add", "tool_args_0": ["x": 1, "y": 2], "observation_0": 3,
            "thought_1": "Now look it up.", "tool_name_1": "lookup", "tool_args_1": ["key": "three"], "observation_1": "fact about three",
            "thought_2": "I have everything, now I can finish.", "tool_name_2": "finish", "tool_args_2": [:], "observation_2": "Completed.",
        ]
        #expect(result.trajectory == expected)
        #expect(result.keys == ["trajectory", "reasoning", "answer"])
        #expect(result.answer == "3" && result.reasoning == "I added the numbers and looked it up.")
        #expect(asyncRan.withLock { $0 })
        #expect(agent.history.count == 4 && agent.react.history.count == 3 && agent.extract.predict.history.count == 1)

        // The extractor saw the whole trajectory, rendered as input blocks.
        let extractRequest = try #require(lm.history.last?.messages.last?.content)
        #expect(
            extractRequest.contains(
                "[[ ## trajectory ## ]]\n[[ ## thought_0 ## ]]\nI need to add two numbers.\n\n[[ ## tool_name_0 ## ]]\nadd\n\n[[ ## tool_args_0 ## ]]\n{\"x\": 1, \"y\": 2}\n\n[[ ## observation_0 ## ]]\n3\n\n[[ ## thought_1 ## ]]"
            ))
    }

    @Test func worksWithTheJSONAdapter() async throws {
        let lm = LM.dummy(answers: [step("Echo it.", "echo", ["text": "hi"]), step("Done.", "finish"), ["reasoning": "r", "answer": "hi"]])
        let agent = try ReAct("question -> answer", tools: [echoTool])
        let result = try await Settings.shared.context(["lm": lm, "adapter": JSONAdapter()]) { try await agent(question: "q") }
        #expect(result.trajectory["observation_0"] == "Echoed: hi" && result.trajectory["observation_1"] == "Completed.")
        #expect(result.answer == "hi")
        #expect(lm.history.count == 3)
    }

    @Test func trajectoryFormatting() {
        #expect(ReAct.formatTrajectory([:]) == "")
        #expect(
            ReAct.formatTrajectory(["thought_0": "hm", "tool_args_0": ["a": [1, 2]], "observation_0": ["x", "y"]])
                == "[[ ## thought_0 ## ]]\nhm\n\n[[ ## tool_args_0 ## ]]\n{\"a\": [1, 2]}\n\n[[ ## observation_0 ## ]]\n[1] «x»\n[2] «y»")
    }

    @Test func unknownToolNameBecomesAnObservationAndTheLoopContinues() async throws {
        let bad = step("Let me use a tool I made up.", "nonexistent", ["q": 1])
        // The ChatAdapter reply fails to parse, then so does its JSON-adapter retry.
        let lm = LM.dummy(answers: [bad, bad, step("Fine, I'll finish.", "finish"), ["reasoning": "r", "answer": "done"]])
        let agent = try ReAct("question -> answer", tools: [addTool])
        let result = try await Settings.shared.context(["lm": lm]) { try await agent(question: "q") }

        let trajectory = try #require(result.trajectory.objectValue)
        #expect(
            Array(trajectory.keys) == [
                "thought_0", "tool_name_0", "tool_args_0", "observation_0",
                "thought_1", "tool_name_1", "tool_args_1", "observation_1",
            ])
        #expect(trajectory["thought_0"] == "Let me use a tool I made up.")
        #expect(trajectory["tool_name_0"] == "nonexistent")
        #expect(trajectory["tool_args_0"] == ["q": 1])
        let observation = try #require(trajectory["observation_0"]?.stringValue)
        #expect(observation.hasPrefix("Failed to parse the model's tool choice: Failed to parse field next_tool_name with value nonexistent"))
        #expect(observation.hasSuffix("next_tool_name must be exactly one of: add, finish; next_tool_args must be a JSON object."))
        #expect(trajectory["observation_1"] == "Completed.")
        #expect(result.answer == "done")
    }

    @Test func unparseableReplyBecomesAnObservation() async throws {
        let lm = LM.dummy(script: [
            .raw("I think I should add things."), .raw("still no structure"),
            .fields(step("Done.", "finish")), .fields(["reasoning": "r", "answer": "a"]),
        ])
        let agent = try ReAct("question -> answer", tools: [addTool])
        let result = try await Settings.shared.context(["lm": lm]) { try await agent(question: "q") }
        let trajectory = try #require(result.trajectory.objectValue)
        #expect(
            trajectory["observation_0"]
                == "Failed to parse the model's tool choice: LM response cannot be serialized to a JSON object. next_tool_name must be exactly one of: add, finish; next_tool_args must be a JSON object."
        )
        #expect(trajectory["thought_0"] == "" && trajectory["tool_name_0"] == "" && trajectory["tool_args_0"] == [:])
        #expect(trajectory["tool_name_1"] == "finish" && result.answer == "a")
    }

    @Test func toolErrorsBecomeObservations() async throws {
        let lm = LM.dummy(answers: [
            step("Try the tool.", "failing_tool"),
            step("Add with a wrong argument.", "add", ["x": 1, "z": 2]),
            step("Give up.", "finish"),
            ["reasoning": "r", "answer": "no luck"],
        ])
        let agent = try ReAct("question -> answer", tools: [failingTool, addTool])
        let result = try await Settings.shared.context(["lm": lm]) { try await agent(question: "q") }
        #expect(result.trajectory["observation_0"] == "Execution error in failing_tool: tool blew up")
        #expect(result.trajectory["observation_1"] == "Execution error in add: Arg z is not in the tool's args.")
        #expect(result.trajectory["observation_2"] == "Completed.")
        #expect(result.answer == "no luck")
    }

    @Test func stopsAtMaxItersAndStillExtracts() async throws {
        let lm = LM.dummy(answers: [
            step("Try once.", "failing_tool"), step("Try again.", "failing_tool"),
            ["reasoning": "r", "answer": "gave up"],
        ])
        let agent = try ReAct("question -> answer", tools: [failingTool], maxIters: 2)
        let result = try await Settings.shared.context(["lm": lm]) { try await agent(question: "q") }
        let trajectory = try #require(result.trajectory.objectValue)
        #expect(trajectory.count == 8 && trajectory["thought_2"] == nil)
        #expect(trajectory["observation_0"]?.stringValue?.hasPrefix("Execution error in failing_tool:") == true)
        #expect(trajectory["observation_1"]?.stringValue?.contains("tool blew up") == true)
        #expect(result.answer == "gave up")
    }

    @Test func maxItersCanBeOverriddenPerCall() async throws {
        let lm = LM.dummy(answers: [step("Echo.", "echo", ["text": "a"]), ["reasoning": "r", "answer": "one step"]])
        let agent = try ReAct("question -> answer", tools: [echoTool])
        let result = try await Settings.shared.context(["lm": lm]) { try await agent(question: "q", max_iters: 1) }
        #expect(result.trajectory.objectValue?.count == 4)
        #expect(result.trajectory["observation_0"] == "Echoed: a")
        #expect(result.answer == "one step")
        // `max_iters` is not passed on to the predictors.
        #expect(lm.history.allSatisfy { !($0.messages.last?.content.contains("max_iters") ?? true) })

        await #expect { try await agent(question: "q", max_iters: -1) } throws: { "\($0)" == "max_iters must be a non-negative integer, got -1." }
        await #expect { try await agent(question: "q", max_iters: "many") } throws: {
            "\($0)" == "max_iters must be a non-negative integer, got 'many'."
        }
        #expect(throws: ReActError.self) { try ReAct("question -> answer", tools: [], maxIters: -3) }
    }

    // MARK: Context window

    @Test func contextOverflowDropsTheOldestToolCall() async throws {
        let lm = LM.dummy(script: [
            .fields(step("Thought 1", "echo", ["text": "Text 1"])),
            .fields(step("Thought 2", "echo", ["text": "Text 2"])),
            .error(contextOverflow),
            .fields(step("Final thought", "finish")),
            .fields(["reasoning": "r", "output_text": "Final output"]),
        ])
        let agent = try ReAct("input_text -> output_text", tools: [echoTool])
        let result = try await Settings.shared.context(["lm": lm]) { try await agent(input_text: "test input") }
        let trajectory = try #require(result.trajectory.objectValue)
        #expect(
            Array(trajectory.keys) == [
                "thought_1", "tool_name_1", "tool_args_1", "observation_1",
                "thought_2", "tool_name_2", "tool_args_2", "observation_2",
            ])
        #expect(trajectory["thought_2"] == "Final thought")
        #expect(result.output_text == "Final output")
        // The retried request no longer carries the dropped step.
        let retried = try #require(lm.history.dropLast().last?.messages.last?.content)
        #expect(!retried.contains("thought_0") && retried.contains("[[ ## thought_1 ## ]]\nThought 2"))
    }

    @Test func aCustomTruncationReplacesDroppingTheOldestCall() async throws {
        let script: [DummyBackend.Answer] = [
            .fields(step("Thought 1", "echo", ["text": "Text 1"])),
            .error(contextOverflow),
            .fields(step("Final thought", "finish")),
            .fields(["reasoning": "r", "answer": "done"]),
        ]
        let summarise: @Sendable (OrderedDictionary<String, Value>) throws -> OrderedDictionary<String, Value> = { _ in
            ["summary": "one echo call"]
        }
        let agent = try ReAct("question -> answer", tools: [echoTool], truncateTrajectory: summarise)
        for program in [agent, agent.copy()] {
            let lm = LM.dummy(script: script)
            let result = try await Settings.shared.context(["lm": lm]) { try await program(question: "q") }
            let trajectory = try #require(result.trajectory.objectValue)
            #expect(Array(trajectory.keys) == ["summary", "thought_1", "tool_name_1", "tool_args_1", "observation_1"])
            #expect(result.answer == "done")
        }
    }

    @Test func overflowWithNothingToDropEndsTheLoopAndStillExtracts() async throws {
        let lm = LM.dummy(script: [.error(contextOverflow), .fields(["reasoning": "r", "answer": "from nothing"])])
        let agent = try ReAct("question -> answer", tools: [echoTool])
        let result = try await Settings.shared.context(["lm": lm]) { try await agent(question: "q") }
        #expect(result.trajectory == [:])
        #expect(result.answer == "from nothing")
        #expect(lm.history.count == 1)
    }

    @Test func extractOverflowWithOneToolCallCannotTruncate() async throws {
        let lm = LM.dummy(script: [.fields(step("Done.", "finish")), .error(contextOverflow)])
        let agent = try ReAct("question -> answer", tools: [echoTool])
        await #expect {
            try await Settings.shared.context(["lm": lm]) { try await agent(question: "q") }
        } throws: { error in
            (error as? LMError)?.kind == .contextWindowExceeded
                && "\(error)"
                    == "The trajectory is too long so your prompt exceeded the context window, but the trajectory cannot be truncated because it only has one tool call."
        }
    }

    @Test func extractOverflowAfterThreeTruncationsGivesUp() async throws {
        var script: [DummyBackend.Answer] = (0..<4).map { .fields(step("Step \($0)", "echo", ["text": .string("t\($0)")])) }
        script.append(.fields(step("Done.", "finish")))
        script += Array(repeating: .error(contextOverflow), count: 3)
        let lm = LM.dummy(script: script)
        let agent = try ReAct("question -> answer", tools: [echoTool])
        await #expect {
            try await Settings.shared.context(["lm": lm]) { try await agent(question: "q") }
        } throws: { error in
            (error as? LMError)?.kind == .contextWindowExceeded
                && "\(error)" == "The context window was exceeded even after 3 attempts to truncate the trajectory."
        }
    }

    // MARK: Over HTTP

    @Test func runsAgainstAnOpenAICompatibleServer() async throws {
        let server = try await LoopbackServer.start { request in
            let prompt = request.json?["messages"].arrayValue?.last?["content"].stringValue ?? ""
            let text: String
            if prompt.contains("`[[ ## next_thought ## ]]`") {
                text =
                    prompt.contains("[[ ## observation_0 ## ]]")
                    ? "[[ ## next_thought ## ]]\nI know the weather.\n\n[[ ## next_tool_name ## ]]\nfinish\n\n[[ ## next_tool_args ## ]]\n{}\n\n[[ ## completed ## ]]"
                    : "[[ ## next_thought ## ]]\nI should check the weather.\n\n[[ ## next_tool_name ## ]]\nget_weather\n\n[[ ## next_tool_args ## ]]\n{\"city\": \"Paris\"}\n\n[[ ## completed ## ]]"
            } else {
                text = "[[ ## reasoning ## ]]\nThe tool said it is sunny.\n\n[[ ## answer ## ]]\nSunny\n\n[[ ## completed ## ]]"
            }
            let body: Value = [
                "model": "m", "choices": [["index": 0, "message": ["role": "assistant", "content": .string(text)], "finish_reason": "stop"]],
            ]
            return .json(body)
        }
        defer { server.shutdownNow() }
        let lm = try LM("openai/test-model", apiBase: server.baseURL + "/v1", apiKey: "sk-test", cache: false)
        let agent = try ReAct("question -> answer", tools: [getWeather])
        let result = try await Settings.shared.context(["lm": lm]) { try await agent(question: "What is the weather in Paris?") }

        #expect(result.answer == "Sunny")
        #expect(result.trajectory["observation_0"] == "The weather in Paris is sunny.")
        #expect(result.trajectory["observation_1"] == "Completed.")
        let requests = server.requests
        #expect(requests.count == 3)
        let second = requests[1].json?["messages"].arrayValue?.last?["content"].stringValue ?? ""
        #expect(second.contains("[[ ## trajectory ## ]]\n[[ ## thought_0 ## ]]\nI should check the weather."))
        #expect(second.contains("[[ ## observation_0 ## ]]\nThe weather in Paris is sunny."))
        let system = requests[0].json?["messages"].arrayValue?.first?["content"].stringValue ?? ""
        #expect(system.contains("        (1) get_weather, whose description is <desc>Get the weather for a city.</desc>."))
    }
}
