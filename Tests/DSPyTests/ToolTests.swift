// Tools: argument validation with DSPy's messages, the string and function-call forms, sync and
// async calling (including async-to-sync conversion), callbacks, and the built-in tools.

import Foundation
import OrderedCollections
import Testing
@testable import DSPy

/// `add(x: int, y: int)`.
let addTool = Tool(name: "add", description: "Add two numbers.", args: ["x": ["type": "integer"], "y": ["type": "integer"]]) { args in
    .int((args["x"]?.intValue ?? 0) + (args["y"]?.intValue ?? 0))
}

/// An async tool: `hello {a}` after a short sleep.
let helloTool = Tool(name: "hello", args: ["a": ["type": "integer"]]) { args async throws -> Value in
    try await Task.sleep(for: .milliseconds(5))
    return .string("hello \(args["a"]?.pythonStr ?? "?")")
}

/// Records module and tool callback events as short strings.
final class ToolEventLog: Callback {
    let events = Locked<[(CallInfo, String)]>([])
    func add(_ s: String, _ c: CallInfo) { events.withLock { $0.append((c, s)) } }
    func onModuleStart(_ call: CallInfo, module: Module, inputs: Inputs) { add("module_start", call) }
    func onModuleEnd(_ call: CallInfo, outputs: Prediction?, error: (any Error)?) { add("module_end", call) }
    func onToolStart(_ call: CallInfo, tool: String, arguments: Inputs) { add("tool_start(\(tool), \(Value.object(arguments).pythonRepr))", call) }
    func onToolEnd(_ call: CallInfo, result: Value?, error: (any Error)?) {
        add(error.map { "tool_end!(\($0))" } ?? "tool_end(\(result?.pythonRepr ?? "nil"))", call)
    }
    var list: [String] { events.withLock { $0.map(\.1) } }
}

/// A module whose forward calls two tools (DSPy's `test_tool_calls`).
final class TwoToolProgram: Module, @unchecked Sendable {
    // Sendable proof: adds no stored state.
    override func forward(_ inputs: Inputs) async throws -> Prediction {
        let sum = try await addTool.acall(["x": 1, "y": 2])
        let greeting = try await helloTool.acall(["a": sum])
        return Prediction(["answer": greeting] as Inputs)
    }
}

/// Runs `body` on a new plain thread (not a Swift task) and returns its result.
func onPlainThread<R: Sendable>(_ body: @escaping @Sendable () throws -> R) async -> Result<R, any Error> {
    await withCheckedContinuation { continuation in
        let thread = Thread(block: { continuation.resume(returning: Result(catching: body)) })
        thread.start()
    }
}

@Suite struct ToolTests {
    // MARK: Forms

    @Test func stringFormMatchesDSPy() {
        #expect(String(describing: addTool) == "add, whose description is <desc>Add two numbers.</desc>. It takes arguments {'x': {'type': 'integer'}, 'y': {'type': 'integer'}}.")
        let bare = Tool(name: "ping") { _ in "pong" }
        #expect(bare.description == "ping. It takes arguments {}.")
        let multiline = Tool(name: "get_weather", description: "Get the weather.\nFor one city.", args: ["city": ["type": "string", "default": "Paris"]]) { _ in "sunny" }
        #expect(multiline.description == "get_weather, whose description is <desc>Get the weather.  For one city.</desc>. It takes arguments {'city': {'type': 'string', 'default': 'Paris'}}.")
    }

    @Test func functionCallSpecExcludesDefaultedArgsFromRequired() {
        let tool = Tool(name: "foo", description: "Foo.", args: ["x": ["type": "integer"], "y": ["type": "string", "default": "hello"]]) { _ in nil }
        let expected: Value = [
            "type": "function",
            "function": [
                "name": "foo",
                "description": "Foo.",
                "parameters": [
                    "type": "object",
                    "properties": ["x": ["type": "integer"], "y": ["type": "string", "default": "hello"]],
                    "required": ["x"],
                ],
            ],
        ]
        #expect(tool.formatAsFunctionCall == expected)
        #expect(Tool(name: "bare") { _ in nil }.formatAsFunctionCall["function"]["description"] == .null)
    }

    // MARK: Validation

    @Test func unknownArgumentIsRejected() {
        #expect { try addTool.call(["x": 1, "y": 2, "z": 3]) } throws: { "\($0)" == "Arg z is not in the tool's args." }
    }

    @Test func invalidArgumentsUseJSONSchemaMessages() {
        #expect { try addTool.call(["x": "a", "y": 2]) } throws: { "\($0)" == "Arg x is invalid: 'a' is not of type 'integer'" }
        #expect { try addTool.call(["x": true, "y": 2]) } throws: { "\($0)" == "Arg x is invalid: True is not of type 'integer'" }
        #expect { try addTool.call(["x": 1.5, "y": 2]) } throws: { "\($0)" == "Arg x is invalid: 1.5 is not of type 'integer'" }

        let typed = Tool(name: "t", args: [
            "unit": ["type": "string", "enum": ["celsius", "fahrenheit"]],
            "xs": ["type": "array", "items": ["type": "integer"]],
            "flag": ["type": ["boolean", "null"], "default": nil],
            "point": ["type": "object", "properties": ["x": ["type": "number"]], "required": ["x"]],
        ]) { args in .object(args) }
        let ok: Inputs = ["unit": "celsius", "xs": [1, 2], "point": ["x": 1.5]]
        #expect(throws: Never.self) { try typed.call(ok) }
        func message(_ key: String, _ value: Value) -> String {
            var args = ok
            args[key] = value
            do { _ = try typed.call(args); return "no error" } catch { return "\(error)" }
        }
        #expect(message("unit", "kelvin") == "Arg unit is invalid: 'kelvin' is not one of ['celsius', 'fahrenheit']")
        #expect(message("xs", [1, "a"]) == "Arg xs is invalid: 'a' is not of type 'integer'")
        #expect(message("flag", 3) == "Arg flag is invalid: 3 is not of type 'boolean', 'null'")
        #expect(message("point", ["y": 1]) == "Arg point is invalid: 'x' is a required property")
        #expect(message("point", ["x": "far"]) == "Arg point is invalid: 'far' is not of type 'number'")
    }

    @Test func schemasWithoutTypeAreNotValidated() throws {
        let anything = Tool(name: "echo", args: ["value": [:]]) { args in args["value"] ?? nil }
        #expect(try anything.call(["value": ["nested": [1, "two"]]]) == ["nested": [1, "two"]])
    }

    @Test func defaultsFillMissingArgumentsAndRequiredOnesMustBeGiven() throws {
        let greet = Tool(name: "greet", args: ["name": ["type": "string"], "greeting": ["type": "string", "default": "hello"]]) { args in
            .string("\(args["greeting"]?.pythonStr ?? "") \(args["name"]?.pythonStr ?? "")")
        }
        #expect(try greet.call(["name": "Ada"]) == "hello Ada")
        #expect(try greet.call(["name": "Ada", "greeting": "hi"]) == "hi Ada")
        #expect { try greet.call(["greeting": "hi"]) } throws: { "\($0)" == "Arg name is required but was not provided." }
        #expect(try greet.prepareArguments(["name": "Ada"]).keys.elementsEqual(["name", "greeting"]))
    }

    @Test func integralFloatsBecomeIntegers() throws {
        let echo = Tool(name: "echo", args: ["n": ["type": "integer"]]) { args in args["n"] ?? nil }
        #expect(try echo.call(["n": 3.0]) == .int(3))
    }

    @Test func kwargsArePassedThrough() throws {
        let tool = Tool(name: "fn", args: ["x": ["type": "integer"]], hasKwargs: true) { args in .object(args) }
        #expect(try tool.call(["x": 1, "y": 2, "z": "three"]) == ["x": 1, "y": 2, "z": "three"])
    }

    // MARK: Sync and async

    @Test func awaitingRunsAsyncToolsAndSyncToolsOffTheCooperativePool() async throws {
        #expect(try await helloTool.acall(["a": 1]) == "hello 1")
        // A sync tool that reports whether it runs inside a Swift task (on the cooperative pool).
        let insideTask = Tool(name: "inside_task") { _ in .bool(withUnsafeCurrentTask { $0 != nil }) }
        #expect(try await insideTask.acall() == false)  // awaited: on a blocking-pool thread
        #expect(try insideTask.call() == true)          // called synchronously: inline, in this test's task
        await #expect { try await addTool.acall(["x": "a", "y": 1]) } throws: { "\($0)" == "Arg x is invalid: 'a' is not of type 'integer'" }
    }

    @Test func asyncToolCalledSynchronouslyNeedsConversion() async throws {
        #expect(helloTool.isAsync && !addTool.isAsync)
        #expect { try helloTool.call(["a": 1]) } throws: { error in
            "\(error)" == "You are calling `call` on an async tool, please use `acall` instead or enable async-to-sync conversion with `configure(allowToolAsyncSyncConversion: true)` or `context(allowToolAsyncSyncConversion: true) { ... }`."
        }
        let offThread = await onPlainThread { try helloTool.call(["a": 1]) }
        #expect(throws: ToolError.asyncToolCalledSynchronously) { try offThread.get() }
    }

    @Test func conversionFromAPlainThreadRunsTheAsyncTool() async throws {
        let result = await onPlainThread {
            try context(allowToolAsyncSyncConversion: true) { try helloTool.call(["a": 1]) }
        }
        #expect(try result.get() == "hello 1")
    }

    @Test func conversionInsideATaskRefusesInsteadOfDeadlocking() async throws {
        #expect(throws: BlockingBridgeError.self) {
            try context(allowToolAsyncSyncConversion: true) { try helloTool.call(["a": 1]) }
        }
    }

    // MARK: Callbacks

    @Test func toolCallbacksFireInsideModuleEvents() async throws {
        let log = ToolEventLog()
        let p = try await Settings.shared.context(["callbacks": [log] as [any Callback]]) { try await TwoToolProgram().call([:]) }
        #expect(p.answer == "hello 3")
        #expect(log.list == ["module_start", "tool_start(add, {'x': 1, 'y': 2})", "tool_end(3)",
                             "tool_start(hello, {'a': 3})", "tool_end('hello 3')", "module_end"])
        let events = log.events.withLock { $0 }
        let moduleID = events[0].0.id
        #expect(events[1].0.parentID == moduleID && events[3].0.parentID == moduleID)
        #expect(events[1].0.id == events[2].0.id && events[1].0.id != events[3].0.id)
    }

    @Test func toolEndSeesValidationErrorsAndSynchronousCallsFireToo() throws {
        let log = ToolEventLog()
        try Settings.shared.context(["callbacks": [log] as [any Callback]]) {
            _ = try addTool.call(["x": 2, "y": 2])
            _ = try? addTool.call(["q": 1])
        }
        #expect(log.list == ["tool_start(add, {'x': 2, 'y': 2})", "tool_end(4)",
                             "tool_start(add, {'q': 1})", "tool_end!(Arg q is not in the tool's args.)"])
    }
}

@Suite struct BuiltinToolTests {
    static let evaluations: [(String, Value)] = [
        ("2 + 3 * 4", Value.int(14)), ("(2 + 3) * 4", 20), ("2 ** 3 ** 2", 512), ("-2 ** 2", -4), ("2 ** -1", 0.5),
        ("7 / 2", 3.5), ("6 / 3", 2), ("7 // 2", 3), ("-7 // 2", -4), ("-7 % 3", 2), ("7 % -3", -2), ("7.5 // 2", 3),
        ("5.5 % 2", 1.5), ("--3", 3), ("+4 - -1", 5), ("1e3 + 1", 1001), (".5 * 4", 2), ("0.1 + 0.2", 0.30000000000000004),
        ("2 ** 64", 1.8446744073709552e19), ("9223372036854775807 + 1", 9.223372036854775807e18),
        ("sqrt(16)", 4), ("sqrt(2)", 1.4142135623730951), ("abs(-5)", 5), ("abs(-2.5)", 2.5), ("round(2.5)", 2), ("round(3.5)", 4),
        ("round(3.14159, 2)", 3.14), ("min(3, 1, 2)", 1), ("max(1.5, 2, -1)", 2), ("floor(-1.5)", -2), ("ceil(1.2)", 2),
        ("log(e)", 1), ("log(100, 10)", 2), ("log10(1000)", 3), ("log2(8)", 3), ("exp(0)", 1), ("sin(0)", 0), ("cos(pi)", -1),
        ("tan(0)", 0), ("2 * pi", 6.283185307179586), (" ( 1 + 2 ) * ( 3 + 4 ) ", 21),
    ]

    static let rejections: [(String, String)] = [
        ("1 / 0", "Division by zero."), ("1 // 0", "Division by zero."), ("5 % 0", "Division by zero (modulo by zero)."),
        ("0 ** -1", "Division by zero: 0 cannot be raised to a negative power."),
        ("", "The expression is empty."), ("   ", "The expression is empty."),
        ("2 +", "The expression ended early: expected a number, a name or '('."),
        ("(1 + 2", "The expression ended early: expected ')'."),
        ("1 2", "Unexpected number 2 at position 3."),
        ("2 * )", "Expected a number, a name or '(' but found ')' at position 5."),
        ("2 ^ 3", "'^' is not supported at position 3; use ** for powers."),
        ("x + 1", "Unknown name 'x' at position 1. Known constants: pi, e, tau, inf."),
        ("__import__('os')", "Unexpected character ''' at position 12."),
        ("system(1)", "Unknown function 'system'. Available: sqrt, abs, round, min, max, floor, ceil, log, log2, log10, exp, sin, cos, tan."),
        ("sqrt(-1)", "Math domain error: sqrt() of a negative number."), ("log(0)", "Math domain error: log() of a number that is not positive."),
        ("sqrt(1, 2)", "sqrt() takes exactly 1 argument (2 given)."), ("max()", "max() needs at least 1 argument."),
        ("(-8) ** 0.5", "A negative number cannot be raised to a fractional power (the result is complex)."),
        ("10.0 ** 400", "The result is not a finite number (overflow)."), ("1.2.3", "Malformed number at position 1."),
        ("3 $ 4", "Unexpected character '$' at position 3."),
    ]

    @Test(arguments: evaluations)
    func calculatorEvaluates(_ expression: String, _ expected: Value) throws {
        #expect(try Calculator.evaluate(expression) == expected)
    }

    @Test(arguments: rejections)
    func calculatorRejects(_ expression: String, _ message: String) {
        #expect { try Calculator.evaluate(expression) } throws: { "\($0)" == message }
    }

    @Test func deepNestingAndHugeInputAreRefused() {
        let deep = String(repeating: "(", count: 1_000) + "1" + String(repeating: ")", count: 1_000)
        #expect { try Calculator.evaluate(deep) } throws: { "\($0)" == "The expression is nested too deeply." }
        let negations = String(repeating: "-", count: 5_000) + "1"
        #expect { try Calculator.evaluate(negations) } throws: { "\($0)" == "The expression is nested too deeply." }
        #expect { try Calculator.evaluate(String(repeating: "1+", count: 6_000) + "1") } throws: { "\($0)".hasPrefix("The expression is too long") }
    }

    @Test func calculateIsATool() async throws {
        #expect(Tool.calculate.name == "calculate")
        #expect(try await Tool.calculate.acall(["expression": "17 * 23"]) == 391)
        await #expect(throws: BuiltinToolError.self) { try await Tool.calculate.acall(["expression": "1/0"]) }
        #expect { try Tool.calculate.call([:]) } throws: { "\($0)" == "Arg expression is required but was not provided." }
    }

    @Test func nowIsISO8601WithTheZoneOffset() async throws {
        let pattern = try Regex(#"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$"#)
        let local = try #require(try await Tool.now.acall().stringValue)
        #expect(local.wholeMatch(of: pattern) != nil)
        let parsed = try #require(ISO8601DateFormatter().date(from: local))
        #expect(abs(parsed.timeIntervalSinceNow) < 60)

        let tokyo = try #require(try Tool.now.call(["timezone": "Asia/Tokyo"]).stringValue)
        #expect(tokyo.hasSuffix("+09:00") && tokyo.wholeMatch(of: pattern) != nil)
        let fixed = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(try Tool.currentTimeISO8601(timeZoneName: "UTC", at: fixed) == "2023-11-14T22:13:20Z")
        #expect(try Tool.currentTimeISO8601(timeZoneName: "Asia/Kolkata", at: fixed) == "2023-11-15T03:43:20+05:30")
        #expect { try Tool.now.call(["timezone": "Mars/Olympus"]) } throws: { "\($0)".hasPrefix("Unknown time zone 'Mars/Olympus'.") }
    }

    @Test func builtinsListBothTools() {
        #expect(Tool.builtins.map(\.name) == ["calculate", "now"])
        #expect(Tool.builtins.allSatisfy { !$0.isAsync })
    }
}
