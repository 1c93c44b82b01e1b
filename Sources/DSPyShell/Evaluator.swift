import DSPy
import Foundation
import OrderedCollections

extension ShellEngine {
    /// Evaluates an expression. `awaited` is true directly under `await`, where async calls
    /// run inline instead of starting a background job.
    func eval(_ expr: Expr, awaited: Bool = false) async throws -> ShellValue {
        switch expr {
        case .literal(let l, _):
            switch l {
            case .none: return .none
            case .bool(let b): return .bool(b)
            case .int(let i): return .int(i)
            case .float(let d): return .float(d)
            case .string(let s): return .string(s)
            }
        case .name(let n, _):
            if let v = variable(n) { return v }
            if let b = Builtins.names[n] { return b(self) }
            let known = definedNames + Array(Builtins.names.keys)
            throw ShellError("name '\(n)' is not defined", hint: closestName(n, in: known).map { "did you mean '\($0)'?" })
        case .list(let items, _):
            var out: [ShellValue] = []
            for e in items { out.append(try await eval(e)) }
            return .list(out)
        case .tuple(let items, _):
            var out: [ShellValue] = []
            for e in items { out.append(try await eval(e)) }
            return .tuple(out)
        case .dict(let pairs, _):
            var d = OrderedDictionary<String, ShellValue>()
            for (k, v) in pairs {
                let key = try await eval(k)
                guard case .string(let s) = key else { throw ShellError("dictionary keys must be strings, not \(key.typeName)") }
                d[s] = try await eval(v)
            }
            return .dict(d)
        case .attribute(let base, let name, _):
            return try Builtins.attribute(try await eval(base), name, engine: self)
        case .subscriptAccess(let base, let index, _):
            return try subscriptValue(try await eval(base), try await eval(index))
        case .call(let calleeExpr, let argExprs, _):
            let callee = try await eval(calleeExpr)
            var args = ShellArguments(positional: [], keywords: [:])
            for a in argExprs {
                let v = try await eval(a.value)
                if let label = a.label {
                    if args.keywords[label] != nil { throw ShellError("keyword argument '\(label)' given twice") }
                    args.keywords[label] = v
                } else {
                    args.positional.append(v)
                }
            }
            let function = try Builtins.callable(callee, engine: self)
            if function.isAsync && !awaited {
                return startJob(text: ExprText.render(expr), function, args)
            }
            return try await function.call(args)
        case .unary(let op, let e, _):
            let v = try await eval(e)
            switch (op, v) {
            case ("-", .int(let i)): return .int(-i)
            case ("-", .float(let d)): return .float(-d)
            case ("+", .int), ("+", .float): return v
            case ("not", _): return .bool(!v.truthy)
            default: throw ShellError("bad operand type for unary \(op): \(v.typeName)")
            }
        case .binary(let op, let l, let r, _):
            return try binary(op, try await eval(l), try await eval(r))
        case .await(let e, _):
            let v = try await eval(e, awaited: true)
            if case .job(let job) = v { return try await wait(job) }
            return v
        }
    }

    private func subscriptValue(_ base: ShellValue, _ index: ShellValue) throws -> ShellValue {
        switch (base, index) {
        case (.list(let a), .int(let i)), (.tuple(let a), .int(let i)):
            let j = i < 0 ? a.count + i : i
            guard a.indices.contains(j) else { throw ShellError("index \(i) is out of range (length \(a.count))") }
            return a[j]
        case (.string(let s), .int(let i)):
            let chars = Array(s)
            let j = i < 0 ? chars.count + i : i
            guard chars.indices.contains(j) else { throw ShellError("index \(i) is out of range (length \(chars.count))") }
            return .string(String(chars[j]))
        case (.dict(let d), .string(let k)):
            guard let v = d[k] else { throw ShellError("key \(Value.string(k).pythonRepr) not found", hint: d.isEmpty ? nil : "keys: " + d.keys.joined(separator: ", ")) }
            return v
        case (.prediction(let p), .string(let k)):
            guard let v = p[k] else { throw ShellError("the prediction has no field '\(k)'", hint: "fields: " + p.keys.joined(separator: ", ")) }
            return ShellValue(v)
        case (.example(let e), .string(let k)):
            guard let v = e[k] else { throw ShellError("the example has no field '\(k)'") }
            return ShellValue(v)
        default:
            throw ShellError("\(base.typeName) cannot be indexed by \(index.typeName)")
        }
    }

    private func binary(_ op: String, _ l: ShellValue, _ r: ShellValue) throws -> ShellValue {
        switch (l, r) {
        case (.int(let a), .int(let b)):
            switch op {
            case "+": return .int(a &+ b)
            case "-": return .int(a &- b)
            case "*": return .int(a &* b)
            case "/":
                guard b != 0 else { throw ShellError("division by zero") }
                return .float(Double(a) / Double(b))
            case "//":
                guard b != 0 else { throw ShellError("division by zero") }
                return .int(Int((Double(a) / Double(b)).rounded(.down)))
            case "%":
                guard b != 0 else { throw ShellError("division by zero") }
                return .int(((a % b) + b) % b)
            case "**":
                guard b >= 0 else { return .float(pow(Double(a), Double(b))) }
                return .int(Int(pow(Double(a), Double(b))))
            default: break
            }
        case (.int, .float), (.float, .int), (.float, .float):
            let a = l.numeric ?? 0, b = r.numeric ?? 0
            switch op {
            case "+": return .float(a + b)
            case "-": return .float(a - b)
            case "*": return .float(a * b)
            case "/":
                guard b != 0 else { throw ShellError("division by zero") }
                return .float(a / b)
            case "**": return .float(pow(a, b))
            default: break
            }
        case (.string(let a), .string(let b)) where op == "+": return .string(a + b)
        case (.list(let a), .list(let b)) where op == "+": return .list(a + b)
        case (.string(let a), .int(let n)) where op == "*": return .string(String(repeating: a, count: max(0, n)))
        default: break
        }
        switch op {
        case "==": return .bool(l.repr == r.repr)
        case "!=": return .bool(l.repr != r.repr)
        case "<", ">", "<=", ">=":
            if let a = l.numeric, let b = r.numeric {
                switch op {
                case "<": return .bool(a < b)
                case ">": return .bool(a > b)
                case "<=": return .bool(a <= b)
                default: return .bool(a >= b)
                }
            }
            if case .string(let a) = l, case .string(let b) = r {
                switch op {
                case "<": return .bool(a < b)
                case ">": return .bool(a > b)
                case "<=": return .bool(a <= b)
                default: return .bool(a >= b)
                }
            }
        default: break
        }
        throw ShellError("unsupported operand types for \(op): \(l.typeName) and \(r.typeName)")
    }
}

extension ShellValue {
    var numeric: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .float(let d): return d
        default: return nil
        }
    }
}

/// Renders expressions back to source text (job descriptions, messages).
enum ExprText {
    static func render(_ e: Expr) -> String {
        switch e {
        case .literal(let l, _):
            switch l {
            case .none: return "None"
            case .bool(let b): return b ? "True" : "False"
            case .int(let i): return String(i)
            case .float(let d): return Value.double(d).pythonRepr
            case .string(let s): return Value.string(s).pythonRepr
            }
        case .name(let n, _): return n
        case .list(let items, _): return "[" + items.map(render).joined(separator: ", ") + "]"
        case .tuple(let items, _): return "(" + items.map(render).joined(separator: ", ") + ")"
        case .dict(let pairs, _): return "{" + pairs.map { render($0.0) + ": " + render($0.1) }.joined(separator: ", ") + "}"
        case .attribute(let b, let n, _): return render(b) + "." + n
        case .subscriptAccess(let b, let i, _): return render(b) + "[" + render(i) + "]"
        case .call(let c, let args, _):
            let shown = args.map { a -> String in
                let v = a.label == "api_key" ? "\"<redacted>\"" : render(a.value)
                return a.label.map { "\($0)=\(v)" } ?? v
            }
            return render(c) + "(" + shown.joined(separator: ", ") + ")"
        case .unary(let op, let x, _): return op == "not" ? "not " + render(x) : op + render(x)
        case .binary(let op, let a, let b, _): return render(a) + " \(op) " + render(b)
        case .await(let x, _): return "await " + render(x)
        }
    }
}
