import Logging
import OrderedCollections

/// An agent that reasons and calls tools in a loop, then extracts the outputs (DSPy's
/// `dspy.ReAct`). Each turn the inner predictor ``react`` picks a thought, a tool and its
/// arguments; the tool's result is appended to the trajectory; the built-in `finish` tool ends
/// the loop, and ``extract`` (a ChainOfThought over the inputs and the trajectory) produces
/// the signature's outputs.
///
/// Unlike DSPy, a reply whose tool choice cannot be parsed (an unknown tool, malformed
/// arguments) becomes an observation the model can correct, instead of ending the call.
///
///     let agent = try ReAct("question -> answer", tools: [Tool.calculate])
///     let result = try await agent(question: "What is 17 * 23?")
///     result.answer; result.trajectory
public final class ReAct: Module, CustomStringConvertible {
    /// The task the agent solves.
    public let signature: Signature
    /// The tools by name, in the order the instructions list them; `finish` included.
    public let tools: OrderedDictionary<String, Tool>
    /// Turns before the loop stops (overridable per call with the input `max_iters`).
    public let maxIters: Int
    /// Picks the next thought, tool and arguments.
    public let react: Predict
    /// Produces the outputs from the inputs and the trajectory.
    public let extract: ChainOfThought
    /// Shortens an over-long trajectory; `nil` drops the oldest tool call (``truncateTrajectory(_:)``).
    private let truncation: (@Sendable (OrderedDictionary<String, Value>) throws -> OrderedDictionary<String, Value>)?
    private let record: ModuleRecord

    static let logger = Logger(label: "dspy.react")
    /// Predictor calls tried per step while truncating an over-long trajectory.
    static let truncationAttempts = 3

    /// - Parameters:
    ///   - tools: the tools the agent may call; a tool named `finish` is replaced by the built-in one.
    ///   - maxIters: the most tool calls per run (DSPy's default is 20).
    ///   - truncateTrajectory: makes room when the prompt exceeds the context window (to
    ///     summarise, say); by default the oldest tool call is dropped.
    public init(
        _ signature: Signature, tools: [Tool], maxIters: Int = 20, callbacks: [any Callback] = [],
        truncateTrajectory: (@Sendable (OrderedDictionary<String, Value>) throws -> OrderedDictionary<String, Value>)? = nil
    ) throws {
        guard maxIters >= 0 else { throw ReActError.invalidMaxIters(.int(maxIters)) }
        let inputs = signature.inputFields.map { "`\($0.name)`" }.joined(separator: ", ")
        let outputs = signature.outputFields.map { "`\($0.name)`" }.joined(separator: ", ")

        var byName = OrderedDictionary<String, Tool>()
        for tool in tools { byName[tool.name] = tool }
        if byName["finish"] != nil {
            ReAct.logger.warning("A tool named `finish` was given; ReAct's built-in finish tool replaces it.")
        }
        byName["finish"] = Tool(
            name: "finish",
            description:
                "Marks the task as complete. That is, signals that all information for producing the outputs, i.e. \(outputs), are now available to be extracted.",
            args: [:]
        ) { _ in "Completed." }

        var lines = signature.instructions.isEmpty ? [] : [signature.instructions + "\n"]
        lines += [
            "You are an Agent. In each episode, you will be given the fields \(inputs) as input. And you can see your past trajectory so far.",
            "Your goal is to use one or more of the supplied tools to collect any necessary information for producing \(outputs).\n",
            "To do this, you will interleave next_thought, next_tool_name, and next_tool_args in each turn, and also when finishing the task.",
            "After each tool call, you receive a resulting observation, which gets appended to your trajectory.\n",
            "When writing next_thought, you may reason about the current situation and plan for future steps.",
            "When selecting the next_tool_name and its next_tool_args, the tool must be one of:\n",
        ]
        for (index, tool) in byName.values.enumerated() { lines.append("(\(index + 1)) \(tool)") }
        lines.append("When providing `next_tool_args`, the value inside the field must be in JSON format")

        let reactSignature = try Signature(
            inputs: signature.inputFields + [.input("trajectory")],
            outputs: [
                .output("next_thought"),
                .output("next_tool_name", .literal(byName.keys.map { .string($0) })),
                .output("next_tool_args", .dict(.string, .any)),
            ],
            instructions: lines.joined(separator: "\n"))
        let extractSignature = try Signature(
            inputs: signature.inputFields + [.input("trajectory")], outputs: signature.outputFields,
            instructions: signature.instructions)

        self.signature = signature
        self.tools = byName
        self.maxIters = maxIters
        self.react = Predict(reactSignature)
        self.extract = try ChainOfThought(extractSignature)
        self.truncation = truncateTrajectory
        self.record = ModuleRecord(callbacks: callbacks)
    }

    private init(copying other: ReAct, react: Predict, extract: ChainOfThought) {
        signature = other.signature
        tools = other.tools
        maxIters = other.maxIters
        self.react = react
        self.extract = extract
        truncation = other.truncation
        record = ModuleRecord(callbacks: other.callbacks)
    }

    public func deepCopy() async throws -> any Module { copy() }

    /// A new ReAct with the same tools and copies of this one's predictors.
    public func copy() -> ReAct { ReAct(copying: self, react: react.copy(), extract: extract.copy()) }

    /// `try ReAct("question -> answer", tools: [weather])`.
    public convenience init(
        _ signature: String, instructions: String? = nil, tools: [Tool], maxIters: Int = 20,
        callbacks: [any Callback] = [],
        truncateTrajectory: (@Sendable (OrderedDictionary<String, Value>) throws -> OrderedDictionary<String, Value>)? = nil
    ) throws {
        try self.init(
            try Signature(signature, instructions: instructions), tools: tools, maxIters: maxIters, callbacks: callbacks,
            truncateTrajectory: truncateTrajectory)
    }

    /// History, callbacks and the compiled flag of this agent.
    public var moduleRecord: ModuleRecord? { record }
    /// The tool chooser and the extractor.
    public var subModules: [(name: String, module: any Module)] { [("react", react), ("extract", extract)] }
    public var description: String { "ReAct(\(signature), tools: [\(tools.keys.joined(separator: ", "))])" }

    /// Keyword arguments only, as DSPy's predictors take.
    public func rejectPositional() throws {
        throw ModuleError.positionalArguments(inputNames: signature.inputFields.map(\.name))
    }

    /// Calls with per-call options for both of its predictors (the tool chooser and the
    /// extractor): another LM or extra LM parameters, as DSPy passes `lm` and `config` through.
    public func call(_ inputs: Inputs, lm: LM?, config: OrderedDictionary<String, Value> = [:]) async throws -> Prediction {
        let options = Predict.CallOptions(targets: [ObjectIdentifier(react), ObjectIdentifier(extract.predict)], lm: lm, config: config, demos: nil)
        return try await Predict.$callOptions.withValue(options) { try await runModuleCall(self, inputs) }
    }

    /// Runs the loop, then the extractor. The result holds `trajectory` (an object with
    /// `thought_i`, `tool_name_i`, `tool_args_i`, `observation_i`) and the extractor's fields.
    public func forward(_ inputs: Inputs) async throws -> Prediction {
        var inputs = inputs
        var turns = maxIters
        if let requested = inputs.removeValue(forKey: "max_iters") {
            guard requested.boolValue == nil, let n = requested.intValue, n >= 0 else { throw ReActError.invalidMaxIters(requested) }
            turns = n
        }
        var trajectory = OrderedDictionary<String, Value>()
        for index in 0..<turns {
            let step: Prediction
            do {
                step = try await callWithTruncation(react, inputs: inputs, trajectory: &trajectory)
            } catch let error as LMError where error.kind == .contextWindowExceeded {
                ReAct.logger.warning("\(LogText.oneLine("Ending the trajectory: \(error)"))")
                break
            } catch let error as AdapterParseError {
                let failure = recoverChoice(from: error)
                ReAct.logger.warning(
                    "\(LogText.oneLine("The model's tool choice could not be parsed; recording it as an observation: \(failure.observation)"))")
                trajectory["thought_\(index)"] = failure.thought
                trajectory["tool_name_\(index)"] = failure.toolName
                trajectory["tool_args_\(index)"] = failure.toolArgs
                trajectory["observation_\(index)"] = .string(failure.observation)
                continue
            }

            let toolName = step["next_tool_name"]?.stringValue ?? ""
            let toolArgs = step["next_tool_args"]?.objectValue ?? [:]
            trajectory["thought_\(index)"] = step["next_thought"] ?? ""
            trajectory["tool_name_\(index)"] = .string(toolName)
            trajectory["tool_args_\(index)"] = .object(toolArgs)
            guard let tool = tools[toolName] else {
                trajectory["observation_\(index)"] = .string(
                    ReAct.parseFailurePrefix
                        + "\(PythonString.repr(toolName)) is not one of the tools. " + choiceHint)
                continue
            }
            do {
                trajectory["observation_\(index)"] = try await tool.acall(toolArgs)
            } catch let cancellation as CancellationError {
                throw cancellation
            } catch {
                trajectory["observation_\(index)"] = .string("Execution error in \(toolName): \(error)")
            }
            if toolName == "finish" { break }
        }

        let extracted = try await callWithTruncation(extract, inputs: inputs, trajectory: &trajectory)
        var values: OrderedDictionary<String, Value> = ["trajectory": .object(trajectory)]
        for (key, value) in extracted.values { values[key] = value }
        return Prediction(values)
    }

    /// Calls `module` with the rendered trajectory; when the prompt exceeds the context window,
    /// drops the oldest tool call and tries again (three attempts in all).
    func callWithTruncation(_ module: some Module, inputs: Inputs, trajectory: inout OrderedDictionary<String, Value>) async throws -> Prediction {
        for _ in 0..<ReAct.truncationAttempts {
            var request = inputs
            request["trajectory"] = .string(ReAct.formatTrajectory(trajectory))
            do {
                return try await runModuleCall(module, request)
            } catch let error as LMError where error.kind == .contextWindowExceeded {
                ReAct.logger.warning("Trajectory exceeded the context window, truncating the oldest tool call information.")
                trajectory = try truncation.map { try $0(trajectory) } ?? truncateTrajectory(trajectory)
            }
        }
        throw LMError(.contextWindowExceeded, "The context window was exceeded even after 3 attempts to truncate the trajectory.")
    }

    /// Makes room in an over-long trajectory by dropping the oldest tool call (its four keys),
    /// unless the initializer was given another `truncateTrajectory`. Throws when only one tool
    /// call is left.
    public func truncateTrajectory(_ trajectory: OrderedDictionary<String, Value>) throws -> OrderedDictionary<String, Value> {
        guard trajectory.count > 4 else {
            throw LMError(
                .contextWindowExceeded,
                "The trajectory is too long so your prompt exceeded the context window, but the trajectory cannot be truncated because it only has one tool call."
            )
        }
        var shorter = trajectory
        shorter.removeFirst(4)
        return shorter
    }

    /// The trajectory as the model sees it: `[[ ## thought_0 ## ]]` blocks in the ChatAdapter's
    /// input format, or an empty string before the first step.
    public static func formatTrajectory(_ trajectory: OrderedDictionary<String, Value>) -> String {
        guard !trajectory.isEmpty,
            let signature = try? Signature(inputs: trajectory.keys.map { Field.input($0) }, outputs: [.output("x")])
        else { return "" }
        return ChatAdapter().userMessage(signature, trajectory, prefix: nil, mainRequest: false)
    }

    // MARK: Unparseable tool choices

    static let parseFailurePrefix = "Failed to parse the model's tool choice: "

    private var choiceHint: String {
        "next_tool_name must be exactly one of: \(tools.keys.joined(separator: ", ")); next_tool_args must be a JSON object."
    }

    /// What the model wrote, as far as it can be read, and the observation that explains the failure.
    func recoverChoice(from error: AdapterParseError) -> (thought: Value, toolName: Value, toolArgs: Value, observation: String) {
        let detail: String
        if let message = error.message {
            detail = message
        } else {
            let found = error.parsedResult.map { "[" + $0.keys.joined(separator: ", ") + "]" } ?? "none"
            detail = "expected the fields [next_thought, next_tool_name, next_tool_args], found \(found)."
        }
        let observation = ReAct.parseFailurePrefix + detail + (detail.hasSuffix(".") ? " " : ". ") + choiceHint

        // Read the reply again with every field untyped, so the trajectory shows what the model said.
        var loose: Inputs = [:]
        if let lenient = try? Signature(
            inputs: [],
            outputs: [
                .output("next_thought", .any), .output("next_tool_name", .any),
                .output("next_tool_args", .any),
            ])
        {
            let chat = (try? ChatAdapter().parse(signature: lenient, completion: error.lmResponse)) ?? [:]
            let json = (try? JSONAdapter().parse(signature: lenient, completion: error.lmResponse)) ?? [:]
            loose = chat.values.contains { !$0.isNull } ? chat : json
        }
        func text(_ key: String) -> Value {
            guard let v = loose[key], !v.isNull else { return "" }
            return .string(v.pythonStr)
        }
        let args = loose["next_tool_args"].flatMap { $0.isNull ? nil : $0 } ?? .object([:])
        return (text("next_thought"), text("next_tool_name"), args, observation)
    }
}

/// Bad arguments to ``ReAct``.
public enum ReActError: Error, CustomStringConvertible, Sendable {
    /// `maxIters` or the `max_iters` input is not a non-negative integer.
    case invalidMaxIters(Value)

    public var description: String {
        switch self {
        case .invalidMaxIters(let value):
            return "max_iters must be a non-negative integer, got \(value.pythonRepr)."
        }
    }
}
