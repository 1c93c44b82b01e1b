import Foundation
import PythonInterpreter

extension Tool {
    /// Evaluates an arithmetic expression such as `"2 * (3 + 4) ** 2"` or `"sqrt(2) / 2"` with
    /// Python's syntax and numbers (dspy-repl's interpreter): no code is run, no shell, no files.
    public static let calculate = Tool(
        name: "calculate",
        description:
            "Evaluates an arithmetic expression with Python's syntax and numbers (exact integers; / gives a float) and returns the number. Supports + - * / // % ** and parentheses, the functions \(Arithmetic.functions.joined(separator: ", ")), and the constants \(Arithmetic.constants.joined(separator: ", ")).",
        args: ["expression": ["type": "string", "description": "The expression, e.g. \"(2 + 3) * 4 ** 2\"."]]
    ) { arguments in
        try Calculator.evaluate(arguments["expression"]?.stringValue ?? "")
    }

    /// The current date and time in ISO 8601 with the time zone offset
    /// (`2025-03-01T14:05:09+01:00`), in the local zone or a named one.
    public static let now = Tool(
        name: "now",
        description: "Returns the current date and time in ISO 8601 format with the time zone offset.",
        args: [
            "timezone": [
                "type": "string", "default": "local",
                "description": "An IANA time zone such as \"Europe/Paris\" or \"UTC\"; \"local\" for the machine's zone.",
            ]
        ]
    ) { arguments in
        .string(try currentTimeISO8601(timeZoneName: arguments["timezone"]?.stringValue ?? "local"))
    }

    /// The built-in tools: ``calculate`` and ``now``.
    public static let builtins: [Tool] = [calculate, now]

    static func currentTimeISO8601(timeZoneName: String, at date: Date = Date()) throws -> String {
        let zone: TimeZone
        if timeZoneName == "local" || timeZoneName.isEmpty {
            zone = .current
        } else if let named = TimeZone(identifier: timeZoneName) {
            zone = named
        } else {
            throw BuiltinToolError("Unknown time zone '\(timeZoneName)'. Use an IANA name such as \"Europe/Paris\", \"UTC\", or \"local\".")
        }
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = zone
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

/// Why a built-in tool rejected its input (a bad expression, division by zero, an unknown time zone).
public struct BuiltinToolError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The Python exception class the failure corresponds to (`ZeroDivisionError`), if any.
    public let kind: String?
    /// What went wrong, without the class name (`division by zero`).
    public let message: String

    init(_ message: String, kind: String? = nil) {
        self.kind = kind
        self.message = message
    }

    /// `ZeroDivisionError: division by zero` (as the last line of CPython's traceback), or the message.
    public var description: String { kind.map { "\($0): \(message)" } ?? message }
}

/// The `calculate` tool's arithmetic: the shell interpreter's parser and numbers, so a result
/// is what Python prints (`2 ** 100` exact, `4 / 2` is `2.0`) and errors are CPython's.
enum Calculator {
    /// The value of `expression`: `.int`, `.double` for a float, and for an int beyond `Int`
    /// its exact decimal digits as `.string` (``Value`` has no big int; it renders the same).
    static func evaluate(_ expression: String) throws -> Value {
        do {
            switch try Arithmetic.evaluate(expression) {
            case .int(let i): return .int(i)
            case .bigInt(let digits): return .string(digits)
            case .float(let d): return .double(d)
            }
        } catch {
            throw BuiltinToolError(error.message, kind: error.kind)
        }
    }
}
