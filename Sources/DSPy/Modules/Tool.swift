import OrderedCollections

/// A function an agent can call (DSPy's `dspy.Tool`): a name, a description, a JSON schema per
/// argument, and a Swift closure, synchronous or `async`.
///
/// Arguments are checked before the closure runs: unknown names (unless ``hasKwargs``), values
/// that do not match the argument's schema, and missing required arguments are errors; missing
/// arguments with a `"default"` get that default.
///
///     let add = Tool(name: "add", description: "Add two numbers.",
///                    args: ["x": ["type": "integer"], "y": ["type": "integer"]]) { args in
///         .int((args["x"]?.intValue ?? 0) + (args["y"]?.intValue ?? 0))
///     }
///
/// `String(describing: tool)` is DSPy's `str(tool)`, the line ReAct shows the model; the
/// description text itself is ``desc``.
public struct Tool: Sendable, CustomStringConvertible {
    /// The closure behind a tool.
    public enum Function: Sendable {
        /// Runs inline when called synchronously, on the blocking pool when awaited.
        case sync(@Sendable (Inputs) throws -> Value)
        /// Awaited by ``Tool/acall(_:)``; ``Tool/call(_:)`` needs async-to-sync conversion.
        case async(@Sendable (Inputs) async throws -> Value)
    }

    /// The name the model uses to pick this tool.
    public let name: String
    /// What the tool does (DSPy's `desc`); `nil` renders no description.
    public let desc: String?
    /// Argument name → JSON schema (`["type": "integer"]`, optionally `"default"` and `"description"`), in order.
    public let args: OrderedDictionary<String, Value>
    /// True when the tool accepts arguments beyond ``args`` (Python's `**kwargs`); they are passed through.
    public let hasKwargs: Bool
    /// The closure that does the work.
    public let function: Function

    /// A tool backed by a synchronous closure.
    public init(
        name: String, description: String? = nil, args: OrderedDictionary<String, Value> = [:], hasKwargs: Bool = false,
        _ function: @escaping @Sendable (Inputs) throws -> Value
    ) {
        self.init(name: name, description: description, args: args, hasKwargs: hasKwargs, function: .sync(function))
    }

    /// A tool backed by an `async` closure.
    public init(
        name: String, description: String? = nil, args: OrderedDictionary<String, Value> = [:], hasKwargs: Bool = false,
        _ function: @escaping @Sendable (Inputs) async throws -> Value
    ) {
        self.init(name: name, description: description, args: args, hasKwargs: hasKwargs, function: .async(function))
    }

    /// A tool from an explicit ``Function``.
    public init(
        name: String, description: String? = nil, args: OrderedDictionary<String, Value> = [:], hasKwargs: Bool = false,
        function: Function
    ) {
        self.name = name
        self.desc = description
        self.args = args
        self.hasKwargs = hasKwargs
        self.function = function
    }

    /// True when the closure is `async`.
    public var isAsync: Bool {
        if case .async = function { return true }
        return false
    }

    /// DSPy's `str(tool)`: `"add, whose description is <desc>Add two numbers.</desc>. It takes arguments {'x': {'type': 'integer'}}."`
    public var description: String {
        var about = "."
        if let desc, !desc.isEmpty {
            about = ", whose description is <desc>\(desc)</desc>.".replacingOccurrences(of: "\n", with: "  ")
        }
        return "\(name)\(about) It takes arguments \(Value.object(args).pythonRepr)."
    }

    /// The OpenAI function-calling spec for this tool; arguments with a `"default"` are not required.
    public var formatAsFunctionCall: Value {
        let required = args.filter { $0.value.objectValue?["default"] == nil }.keys.map { Value.string($0) }
        let parameters: Value = ["type": "object", "properties": .object(args), "required": .array(required)]
        let function: Value = ["name": .string(name), "description": desc.map(Value.string) ?? .null, "parameters": parameters]
        return ["type": "function", "function": function]
    }

    // MARK: Calling

    /// Validates `arguments` and runs the tool: async tools are awaited, sync tools run on the
    /// blocking pool so they never stall Swift's cooperative threads. Fires tool callbacks.
    public func acall(_ arguments: Inputs = [:]) async throws -> Value {
        try await CallbackRunner.run(
            handlers: Settings.current.callbacks,
            start: { cb, info in cb.onToolStart(info, tool: name, arguments: arguments) },
            end: { cb, info, result, error in cb.onToolEnd(info, result: result, error: error) }
        ) {
            let prepared = try prepareArguments(arguments)
            switch function {
            case .async(let body): return try await body(prepared)
            case .sync(let body): return try await BlockingPool.run { try body(prepared) }
            }
        }
    }

    /// Validates `arguments` and runs the tool on the calling thread. An async tool runs only
    /// when `allowToolAsyncSyncConversion` is on, and only outside a Swift task (it blocks the
    /// thread until the tool finishes); otherwise this throws. Fires tool callbacks.
    public func call(_ arguments: Inputs = [:]) throws -> Value {
        try CallbackRunner.runSync(
            handlers: Settings.current.callbacks,
            start: { cb, info in cb.onToolStart(info, tool: name, arguments: arguments) },
            end: { cb, info, result, error in cb.onToolEnd(info, result: result, error: error) }
        ) {
            let prepared = try prepareArguments(arguments)
            switch function {
            case .sync(let body):
                return try body(prepared)
            case .async(let body):
                guard Settings.current.allowToolAsyncSyncConversion else { throw ToolError.asyncToolCalledSynchronously }
                return try runBlocking { try await body(prepared) }
            }
        }
    }

    /// `try tool(["x": 1])`: same as ``call(_:)``.
    public func callAsFunction(_ arguments: Inputs = [:]) throws -> Value { try call(arguments) }

    /// The arguments the closure receives: checked against ``args``, defaults filled in,
    /// integral numbers for `"integer"` arguments made integers.
    public func prepareArguments(_ arguments: Inputs) throws -> Inputs {
        var prepared = Inputs()
        for (key, value) in arguments {
            guard let schema = args[key] else {
                if hasKwargs { prepared[key] = value; continue }
                throw ToolError.unknownArgument(key)
            }
            if schema.objectValue?["type"] != nil, let problem = JSONSchemaValidator.firstError(value, schema: schema) {
                throw ToolError.invalidArgument(key, message: problem)
            }
            prepared[key] = JSONSchemaValidator.normalizeInteger(value, schema: schema)
        }
        var complete = Inputs()
        for (key, schema) in args {
            if let given = prepared[key] {
                complete[key] = given
            } else if let fallback = schema.objectValue?["default"] {
                complete[key] = fallback
            } else {
                throw ToolError.missingArgument(key)
            }
        }
        for (key, value) in prepared where complete[key] == nil { complete[key] = value }
        return complete
    }
}

/// Why a tool call was refused before the tool ran; messages follow DSPy's wording.
public enum ToolError: Error, CustomStringConvertible, Sendable, Equatable {
    /// An argument the tool does not declare (and it takes no extra arguments).
    case unknownArgument(String)
    /// An argument whose value does not match its JSON schema.
    case invalidArgument(String, message: String)
    /// A declared argument without a default that was not given.
    case missingArgument(String)
    /// ``Tool/call(_:)`` on an async tool without async-to-sync conversion enabled.
    case asyncToolCalledSynchronously

    public var description: String {
        switch self {
        case .unknownArgument(let key):
            return "Arg \(key) is not in the tool's args."
        case .invalidArgument(let key, let message):
            return "Arg \(key) is invalid: \(message)"
        case .missingArgument(let key):
            return "Arg \(key) is required but was not provided."
        case .asyncToolCalledSynchronously:
            return
                "You are calling `call` on an async tool, please use `acall` instead or enable async-to-sync conversion with `configure(.allowToolAsyncSyncConversion(true))` or `context(.allowToolAsyncSyncConversion(true)) { ... }`."
        }
    }
}

/// The subset of JSON Schema that tool arguments use, with messages worded as Python's
/// `jsonschema` words them (`'a' is not of type 'integer'`).
enum JSONSchemaValidator {
    /// The first violation of `schema` by `value`, or `nil` when it conforms.
    static func firstError(_ value: Value, schema: Value) -> String? {
        guard let rules = schema.objectValue else { return nil }
        if let type = rules["type"] {
            let names = type.arrayValue?.compactMap(\.stringValue) ?? type.stringValue.map { [$0] } ?? []
            if !names.isEmpty && !names.contains(where: { matches(value, type: $0) }) {
                return "\(value.pythonRepr) is not of type \(names.map { PythonString.repr($0) }.joined(separator: ", "))"
            }
        }
        if let options = rules["enum"]?.arrayValue, !options.contains(where: { equal($0, value) }) {
            return "\(value.pythonRepr) is not one of \(Value.array(options).pythonRepr)"
        }
        if let constant = rules["const"], !equal(constant, value) {
            return "\(constant.pythonRepr) was expected"
        }
        if let number = value.doubleValue, value.boolValue == nil {
            if let minimum = rules["minimum"], let bound = minimum.doubleValue, number < bound {
                return "\(value.pythonRepr) is less than the minimum of \(minimum.pythonRepr)"
            }
            if let maximum = rules["maximum"], let bound = maximum.doubleValue, number > bound {
                return "\(value.pythonRepr) is greater than the maximum of \(maximum.pythonRepr)"
            }
        }
        if case .array(let items) = value, let itemSchema = rules["items"], itemSchema.objectValue != nil {
            for item in items {
                if let problem = firstError(item, schema: itemSchema) { return problem }
            }
        }
        if case .object(let members) = value {
            for name in rules["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[name] == nil {
                return "\(PythonString.repr(name)) is a required property"
            }
            let properties = rules["properties"]?.objectValue ?? [:]
            for (name, member) in members {
                if let propertySchema = properties[name], let problem = firstError(member, schema: propertySchema) { return problem }
            }
            if rules["additionalProperties"] == .bool(false) {
                let extras = members.keys.filter { properties[$0] == nil }
                if !extras.isEmpty {
                    let names = extras.map { PythonString.repr($0) }.joined(separator: ", ")
                    return "Additional properties are not allowed (\(names) \(extras.count == 1 ? "was" : "were") unexpected)"
                }
            }
        }
        if let alternatives = rules["anyOf"]?.arrayValue, !alternatives.contains(where: { firstError(value, schema: $0) == nil }) {
            return "\(value.pythonRepr) is not valid under any of the given schemas"
        }
        return nil
    }

    /// JSON Schema's type test: booleans are not numbers, and `1.0` is an integer.
    static func matches(_ value: Value, type: String) -> Bool {
        switch (type, value) {
        case ("string", .string), ("boolean", .bool), ("null", .null), ("array", .array), ("object", .object): return true
        case ("integer", .int), ("number", .int), ("number", .double): return true
        case ("integer", .double(let d)): return d.isFinite && d.rounded() == d
        default: return false
        }
    }

    /// JSON equality for `enum` and `const`: `1` equals `1.0`.
    static func equal(_ a: Value, _ b: Value) -> Bool {
        if a.boolValue == nil, b.boolValue == nil, let x = a.doubleValue, let y = b.doubleValue { return x == y }
        return a == b
    }

    /// An integral float given for an `"integer"` argument becomes an integer, as pydantic does.
    static func normalizeInteger(_ value: Value, schema: Value) -> Value {
        guard schema.objectValue?["type"] == "integer", case .double = value, let i = value.intValue else { return value }
        return .int(i)
    }
}
