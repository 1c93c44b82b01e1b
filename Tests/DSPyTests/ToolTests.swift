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
    func onModuleStart(_ call: CallInfo, module: any Module, inputs: Inputs) { add("module_start", call) }
    func onModuleEnd(_ call: CallInfo, outputs: Prediction?, error: (any Error)?) { add("module_end", call) }
    func onToolStart(_ call: CallInfo, tool: String, arguments: Inputs) { add("tool_start(\(tool), \(Value.object(arguments).pythonRepr))", call) }
    func onToolEnd(_ call: CallInfo, result: Value?, error: (any Error)?) {
        add(error.map { "tool_end!(\($0))" } ?? "tool_end(\(result?.pythonRepr ?? "nil"))", call)
    }
    var list: [String] { events.withLock { $0.map(\.1) } }
}

/// A module whose forward calls two tools (DSPy's `test_tool_calls`).
struct TwoToolProgram: Module {
    func forward(_ inputs: Inputs) async throws -> Prediction {
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
        #expect(
            String(describing: addTool)
                == "add, whose description is <desc>Add two numbers.</desc>. It takes arguments {'x': {'type': 'integer'}, 'y': {'type': 'integer'}}."
        )
        let bare = Tool(name: "ping") { _ in "pong" }
        #expect(bare.description == "ping. It takes arguments {}.")
        let multiline = Tool(
            name: "get_weather", description: "Get the weather.\nFor one city.", args: ["city": ["type": "string", "default": "Paris"]]
        ) { _ in "sunny" }
        #expect(
            multiline.description
                == "get_weather, whose description is <desc>Get the weather.  For one city.</desc>. It takes arguments {'city': {'type': 'string', 'default': 'Paris'}}."
        )
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

        let typed = Tool(
            name: "t",
            args: [
                "unit": ["type": "string", "enum": ["celsius", "fahrenheit"]],
                "xs": ["type": "array", "items": ["type": "integer"]],
                "flag": ["type": ["boolean", "null"], "default": nil],
                "point": ["type": "object", "properties": ["x": ["type": "number"]], "required": ["x"]],
            ]
        ) { args in .object(args) }
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
        #expect(try insideTask.call() == true)  // called synchronously: inline, in this test's task
        await #expect { try await addTool.acall(["x": "a", "y": 1]) } throws: { "\($0)" == "Arg x is invalid: 'a' is not of type 'integer'" }
    }

    @Test func asyncToolCalledSynchronouslyNeedsConversion() async throws {
        #expect(helloTool.isAsync && !addTool.isAsync)
        #expect { try helloTool.call(["a": 1]) } throws: { error in
            "\(error)"
                == "You are calling `call` on an async tool, please use `acall` instead or enable async-to-sync conversion with `configure(.allowToolAsyncSyncConversion(true))` or `context(.allowToolAsyncSyncConversion(true)) { ... }`."
        }
        let offThread = await onPlainThread { try helloTool.call(["a": 1]) }
        #expect(throws: ToolError.asyncToolCalledSynchronously) { try offThread.get() }
    }

    @Test func conversionFromAPlainThreadRunsTheAsyncTool() async throws {
        let result = await onPlainThread {
            try context(.allowToolAsyncSyncConversion(true)) { try helloTool.call(["a": 1]) }
        }
        #expect(try result.get() == "hello 1")
    }

    @Test func conversionInsideATaskRefusesInsteadOfDeadlocking() async throws {
        #expect(throws: BlockingBridgeError.self) {
            try context(.allowToolAsyncSyncConversion(true)) { try helloTool.call(["a": 1]) }
        }
    }

    // MARK: Callbacks

    @Test func toolCallbacksFireInsideModuleEvents() async throws {
        let log = ToolEventLog()
        let p = try await Settings.shared.context(["callbacks": [log] as [any Callback]]) { try await TwoToolProgram().call([:]) }
        #expect(p.answer == "hello 3")
        #expect(
            log.list == [
                "module_start", "tool_start(add, {'x': 1, 'y': 2})", "tool_end(3)",
                "tool_start(hello, {'a': 3})", "tool_end('hello 3')", "module_end",
            ])
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
        #expect(
            log.list == [
                "tool_start(add, {'x': 2, 'y': 2})", "tool_end(4)",
                "tool_start(add, {'q': 1})", "tool_end!(Arg q is not in the tool's args.)",
            ])
    }
}

@Suite struct BuiltinToolTests {
    /// What `calculate` returns: Python's numbers, so `/` gives a float (`6 / 3` is `2.0`) and an
    /// int beyond `Int` is exact (its digits, as a string: ``Value`` has no big int).
    static let evaluations: [(String, Value)] = [
        ("2 + 3 * 4", Value.int(14)), ("(2 + 3) * 4", 20), ("2 ** 3 ** 2", 512), ("-2 ** 2", -4), ("2 ** -1", 0.5),
        ("7 / 2", 3.5), ("6 / 3", 2.0), ("7 // 2", 3), ("-7 // 2", -4), ("7 // -2", -4), ("-7 % 3", 2), ("7 % -3", -2),
        ("7.5 // 2", 3.0), ("5.5 % 2", 1.5), ("--3", 3), ("+4 - -1", 5), ("1e3 + 1", 1001.0), (".5 * 4", 2.0),
        ("0.1 + 0.2", 0.30000000000000004), ("1_000 + 0x10", 1016),
        ("2 ** 100", "1267650600228229401496703205376"), ("-(2 ** 100)", "-1267650600228229401496703205376"),
        ("2 ** 64", "18446744073709551616"), ("9223372036854775807 + 1", "9223372036854775808"), ("2 ** 63 - 1", .int(Int.max)),
        ("10 ** 5000 // 10 ** 4990", 10_000_000_000), ("2.0 ** 64", 1.8446744073709552e19), ("abs(-2 ** 70)", "1180591620717411303424"),
        ("sqrt(16)", 4.0), ("sqrt(2)", 1.4142135623730951), ("abs(-5)", 5), ("abs(-2.5)", 2.5), ("round(2.5)", 2), ("round(3.5)", 4),
        ("round(3.14159, 2)", 3.14), ("min(3, 1, 2)", 1), ("max(1.5, 2, -1)", 2), ("floor(-1.5)", -2), ("ceil(1.2)", 2),
        ("log(e)", 1.0), ("log(100, 10)", 2.0), ("log10(1000)", 3.0), ("log2(8)", 3.0), ("log(10 ** 5000)", 11512.925464970229),
        ("exp(0)", 1.0), ("sin(0)", 0.0), ("cos(pi)", -1.0), ("tan(0)", 0.0), ("2 * pi", 6.283185307179586), ("tau / 2", .double(Double.pi)),
        ("inf", .double(.infinity)), ("-inf * 2", .double(-.infinity)), (" ( 1 + 2 ) * ( 3 + 4 ) ", 21), ("\t(1 +\n 2)\n", 3),
        (
            "floor(1e300)",
            "1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160"
        ),
    ]

    /// Each line as the last line of CPython's traceback for `eval(expression, {names})`; refused
    /// constructs say what a calculation may use.
    static let rejections: [(String, String)] = [
        ("1 / 0", "ZeroDivisionError: division by zero"), ("1 // 0", "ZeroDivisionError: integer division or modulo by zero"),
        ("5 % 0", "ZeroDivisionError: integer modulo by zero"), ("1.5 % 0", "ZeroDivisionError: float modulo"),
        ("0 ** -1", "ZeroDivisionError: 0.0 cannot be raised to a negative power"),
        ("sqrt(-1)", "ValueError: math domain error"), ("log(0)", "ValueError: math domain error"),
        ("log(5, 1)", "ZeroDivisionError: float division by zero"),
        ("10.0 ** 400", "OverflowError: (34, 'Numerical result out of range')"), ("exp(1000)", "OverflowError: math range error"),
        ("sqrt(10 ** 400)", "OverflowError: int too large to convert to float"),
        ("floor(inf)", "OverflowError: cannot convert float infinity to integer"),
        ("sqrt(1, 2)", "TypeError: sqrt() takes exactly one argument (2 given)"), ("max()", "TypeError: max expected at least 1 argument, got 0"),
        ("(-8) ** 0.5", "ValueError: complex numbers are not supported in this shell (a negative number raised to a fractional power)"),
        ("", "SyntaxError: the expression is empty"), ("   ", "SyntaxError: the expression is empty"),
        ("2 +", "SyntaxError: invalid syntax at position 4"), ("1 2", "SyntaxError: invalid syntax at position 3"),
        ("(1 + 2", "SyntaxError: '(' was never closed at position 1"), ("  (1 + 2", "SyntaxError: '(' was never closed at position 3"),
        ("2 * )", "SyntaxError: unmatched ')' at position 5"), ("3 $ 4", "SyntaxError: invalid syntax at position 3"),
        ("1.2.3", "SyntaxError: invalid syntax at position 4"),
    ]

    static let allowed =
        "a calculation may use int and float numbers, + - * / // % ** and parentheses, the functions sqrt, abs, round, min, max, floor, ceil, log, log2, log10, exp, sin, cos, tan, and the constants pi, e, tau, inf"

    /// Code, not arithmetic: refused before anything runs, with what is allowed.
    static let refusals: [(String, String)] = [
        ("__import__('os')", "calling '__import__' is not allowed (at position 1)"),
        ("\"a\" * 3", "a string is not allowed (at position 1)"),
        ("(1).real", "attribute access ('.real') is not allowed (at position 2)"),
        ("[1][0]", "subscripting ('[...]') is not allowed (at position 1)"),
        ("x", "the name 'x' is not allowed (at position 1)"), ("2 * x + 1", "the name 'x' is not allowed (at position 5)"),
        ("sqr(4)", "calling 'sqr' (did you mean 'sqrt'?) is not allowed (at position 1)"),
        ("system(1)", "calling 'system' is not allowed (at position 1)"),
        ("sqrt", "the function 'sqrt' without a call (write sqrt(x)) is not allowed (at position 1)"),
        ("pi(2)", "calling 'pi' is not allowed (at position 1)"),
        ("round(2.5, ndigits=1)", "a keyword argument ('ndigits=') is not allowed (at position 20)"),
        ("max(*[1, 2])", "'*' unpacking is not allowed (at position 6)"),
        ("2 ^ 3", "the operator '^' (the power operator is **) is not allowed"), ("1 << 3", "the operator '<<' is not allowed"),
        ("~1", "the operator '~' is not allowed"), ("1 < 2", "a comparison is not allowed"), ("1 and 2", "'and'/'or' is not allowed"),
        ("1, 2", "a tuple (a comma outside a call's parentheses) is not allowed (at position 1)"),
        ("True + 1", "True is not allowed (at position 1)"), ("None", "None is not allowed (at position 1)"),
        ("1 if 2 else 3", "a conditional expression is not allowed (at position 1)"), ("(lambda: 1)()", "a lambda is not allowed (at position 2)"),
        ("abs(1)(2)", "calling the value of an expression is not allowed (at position 1)"),
        ("math.sqrt(2)", "attribute access ('math.sqrt'; write sqrt alone) is not allowed (at position 1)"),
        ("__import__('os').system('true')", "attribute access ('.system') is not allowed (at position 1)"),
        ("max(i for i in (1, 2))", "a comprehension is not allowed (at position 5)"),
        ("(y := 2)", "an assignment (':=') is not allowed (at position 2)"),
        ("f'{1}'", "a string is not allowed (at position 1)"), ("1 / 0 + x", "the name 'x' is not allowed (at position 9)"),
    ]

    @Test(arguments: evaluations)
    func calculatorEvaluates(_ expression: String, _ expected: Value) throws {
        #expect(try Calculator.evaluate(expression) == expected)
    }

    @Test(arguments: rejections)
    func calculatorRejects(_ expression: String, _ message: String) {
        #expect { try Calculator.evaluate(expression) } throws: { "\($0)" == message }
    }

    @Test(arguments: refusals)
    func calculatorRefusesCode(_ expression: String, _ what: String) {
        #expect { try Calculator.evaluate(expression) } throws: { error in
            (error as? BuiltinToolError).map { $0.kind == nil && $0.message == "\(what); \(Self.allowed)" } ?? false
        }
    }

    /// Results print as Python prints them, which is what the model reads as the observation.
    @Test func resultsRenderAsPythonReprs() throws {
        let cases = [
            "4 / 2": "2.0", "10 / 4": "2.5", "1 / 3": "0.3333333333333333", "1e16": "1e+16", "1e-5": "1e-05", "2.0 ** 70": "1.1805916207174113e+21",
            "123456789.0 * 10": "1234567890.0", "2 ** 100": "1267650600228229401496703205376", "-0.0": "-0.0", "inf - inf": "nan",
        ]
        for (expression, shown) in cases { #expect(try Calculator.evaluate(expression).pythonStr == shown, "\(expression)") }
    }

    @Test func hugeDeepAndLongInputAreRefusedClearly() {
        func message(_ expression: String) -> String {
            do { return "value \(try Calculator.evaluate(expression))" } catch { return "\(error)" }
        }
        #expect(message("2 ** 10 ** 10") == "MemoryError: integer result of ** is too large (more than 65536 bits)")
        #expect(message("9 ** 9 ** 9 - 1") == "MemoryError: integer result of ** is too large (more than 65536 bits)")
        #expect(message("2 ** 20000").hasPrefix("ValueError: Exceeds the limit (4300 digits) for integer string conversion"))
        #expect(
            message(String(repeating: "(", count: 1_000) + "1" + String(repeating: ")", count: 1_000)).hasPrefix(
                "SyntaxError: too many nested parentheses at position "))
        #expect(message(String(repeating: "-", count: 5_000) + "1").hasPrefix("SyntaxError: too many nested parentheses at position "))
        #expect(message(String(repeating: "1+", count: 6_000) + "1") == "the expression is too long (12001 characters; the limit is 10000)")
        // A long flat chain is fine up to CPython's compile-time limit (its tree is as deep as it is
        // long); beyond it, CPython's RecursionError.
        #expect(message(String(repeating: "1+", count: 2_899) + "1") == "value 2900")
        #expect(message(String(repeating: "1+", count: 4_999) + "1").hasPrefix("RecursionError: maximum recursion depth exceeded during compilation"))
    }

    /// The model reads the exact integer, as DSPy shows a Python tool's int, and CPython's error line.
    @Test func reactShowsExactIntegersAndPythonErrors() async throws {
        func step(_ thought: String, _ tool: String, _ args: Value) -> OrderedDictionary<String, Value> {
            ["next_thought": .string(thought), "next_tool_name": .string(tool), "next_tool_args": args]
        }
        let lm = LM.dummy(answers: [
            step("Compute it.", "calculate", ["expression": "2 ** 100"]), step("And this.", "calculate", ["expression": "1 / 0"]),
            step("Done.", "finish", [:]), ["reasoning": "r", "answer": "a"],
        ])
        let agent = try ReAct("question -> answer", tools: [Tool.calculate])
        let result = try await Settings.shared.context(["lm": lm]) { try await agent(question: "What is 2 ** 100?") }
        #expect(result.trajectory["observation_0"] == "1267650600228229401496703205376")
        #expect(result.trajectory["observation_1"] == "Execution error in calculate: ZeroDivisionError: division by zero")
        let extractRequest = try #require(lm.history.last?.messages.last?.content)
        #expect(extractRequest.contains("[[ ## observation_0 ## ]]\n1267650600228229401496703205376\n\n"))
        #expect(extractRequest.contains("[[ ## observation_1 ## ]]\nExecution error in calculate: ZeroDivisionError: division by zero\n\n"))
    }

    @Test func concurrentCallsShareTheInterpreterSafely() async throws {
        let results = try await withThrowingTaskGroup(of: (Int, Value).self) { group in
            for i in 0..<64 { group.addTask { (i, try await Tool.calculate.acall(["expression": .string("\(i) * \(i) // 3 + \(i) / 4")])) } }
            return try await group.reduce(into: [Int: Value]()) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == 64)
        for i in 0..<64 { #expect(results[i] == .double(Double(i * i / 3) + Double(i) / 4), "\(i)") }
    }

    @Test func calculateIsATool() async throws {
        #expect(Tool.calculate.name == "calculate")
        #expect(try await Tool.calculate.acall(["expression": "17 * 23"]) == 391)
        #expect(try Tool.calculate.call(["expression": "2 ** 100"]) == "1267650600228229401496703205376")
        await #expect(throws: BuiltinToolError("division by zero", kind: "ZeroDivisionError")) {
            try await Tool.calculate.acall(["expression": "1/0"])
        }
        #expect { try Tool.calculate.call([:]) } throws: { "\($0)" == "Arg expression is required but was not provided." }
        #expect(
            Tool.calculate.desc
                == "Evaluates an arithmetic expression with Python's syntax and numbers (exact integers; / gives a float) and returns the number. Supports + - * / // % ** and parentheses, the functions sqrt, abs, round, min, max, floor, ceil, log, log2, log10, exp, sin, cos, tan, and the constants pi, e, tau, inf."
        )
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
