import DSPy
import OrderedCollections
import PythonInterpreter

/// `dspy.Tool`: a library tool whose closure runs a Python function (or a built-in tool).
final class ToolObject: PyNativeObject<Tool>, @unchecked Sendable {
    // Sendable proof: as every Python object, touched only under the interpreter lock.
    /// The Python function behind the tool (None for the built-in tools).
    let function: PyValue
    init(_ tool: Tool, function: PyValue) {
        self.function = function
        super.init(type: DSPyTypes.tool, payload: tool)
    }
}

enum ToolBinding {
    /// A tool from a `dspy.Tool`, a plain function (`def` or `async def`), or a built-in tool.
    static func tool(_ ctx: ExecContext, _ v: PyValue) throws -> Tool {
        if let t = v.as(ToolObject.self) { return t.payload }
        guard case .object(let o) = v, o is PyFunction || o is PyBoundMethod || o is PyBuiltinFunction || o.type.lookup("__call__") != nil else {
            throw PyError.type("a tool must be a function or a dspy.Tool, not \(v.typeName)")
        }
        return try make(ctx, v, name: nil, description: nil, args: nil, argDescriptions: [:])
    }

    /// Builds a tool the way DSPy infers one: name, docstring, and a JSON schema per parameter
    /// from its annotation (with `default` when it has one).
    static func make(
        _ ctx: ExecContext, _ function: PyValue, name: String?, description: String?, args: Value?,
        argDescriptions: [String: String]
    ) throws -> Tool {
        var fn: PyFunction?
        switch function {
        case .object(let f as PyFunction): fn = f
        case .object(let m as PyBoundMethod): fn = m.function.as(PyFunction.self)
        case .object(let o) where !(o is PyBuiltinFunction):
            if case .object(let call as PyFunction)? = o.type.lookup("__call__") { fn = call }
        default: break
        }
        let toolName = name ?? fn.map(\.name) ?? (function.as(PyBuiltinFunction.self)?.name ?? function.typeName)
        var desc = description
        if desc == nil, let doc = fn?.doc.stringValue { desc = Help.cleandoc(doc) }
        var schema = OrderedDictionary<String, Value>()
        var hasKwargs = false
        if case .object(let o)? = args, true {
            schema = o
        } else if let fn {
            let isMethod = function.as(PyBoundMethod.self) != nil || (function.as(PyFunction.self) == nil && fn.code.positionalParameterCount > 0)
            let names = fn.code.parameterNames
            let positional = fn.code.positionalParameterCount
            let firstDefault = positional - fn.defaults.count
            for (i, p) in names.enumerated() {
                if isMethod && i == 0 { continue }
                var entry = OrderedDictionary<String, Value>()
                if let ann = fn.annotations.getString(p) {
                    let type = try SignatureBinding.fieldType(ctx, ann)
                    if case .object(let o) = type.jsonSchema { entry = o }
                }
                if i < positional, i >= firstDefault { entry["default"] = try Convert.value(ctx, fn.defaults[i - firstDefault]) }
                if i >= positional, let d = fn.keywordDefaults[p] { entry["default"] = try Convert.value(ctx, d) }
                if let d = argDescriptions[p] { entry["description"] = .string(d) }
                schema[p] = .object(entry)
            }
            hasKwargs = fn.code.hasVarKeywords
        }
        let interpreter = ctx.interpreter
        let body: Tool.Function
        if fn?.isAsync == true {
            body = .async { inputs in
                try await interpreter.runPython { ctx in
                    let kwargs = inputs.map { ($0.key, Convert.python($0.value)) }
                    return try Convert.value(ctx, try ctx.await(try ctx.call(function, Args([], keywords: kwargs))))
                }
            }
        } else {
            body = .sync { inputs in
                try interpreter.runPythonBlocking { ctx in
                    let kwargs = inputs.map { ($0.key, Convert.python($0.value)) }
                    return try Convert.value(ctx, try ctx.call(function, Args([], keywords: kwargs)))
                }
            }
        }
        return Tool(name: toolName, description: desc, args: schema, hasKwargs: hasKwargs, function: body)
    }

    /// A tool's result as Python sees it. The built-in calculate tool gives an int beyond `Int`
    /// as its digits (``Value`` has no big int); Python code gets the int, as from DSPy's tools.
    static func result(of tool: Tool, _ v: Value) -> PyValue {
        if case .string(let digits) = v, tool.name == Tool.calculate.name, tool.desc == Tool.calculate.desc {
            return Arithmetic.Number.bigInt(digits).python
        }
        return Convert.python(v)
    }

    static func install(_ t: PyType) {
        t.doc = "A function an agent can call: dspy.Tool(func, name=None, desc=None, args=None, arg_desc=None)."
        t.native.construct = { ctx, _, a in
            let p = try a.bind("Tool", ["func", "name", "desc", "args", "arg_types", "arg_desc"], required: 1)
            guard let function = p[0] else { return .none }
            var descriptions: [String: String] = [:]
            if let d = ctx.optional(p[5]) {
                for (k, v) in try ctx.mappingPairs(d) { descriptions[try Convert.keyString(ctx, k.value)] = try ctx.str(v) }
            }
            let tool = try make(
                ctx, function, name: try ctx.optional(p[1]).map { try ctx.str($0) },
                description: try ctx.optional(p[2]).map { try ctx.str($0) },
                args: try ctx.optional(p[3]).map { try Convert.value(ctx, $0) }, argDescriptions: descriptions)
            return .object(ToolObject(tool, function: function))
        }
        @Sendable func tool(_ v: PyValue) throws -> ToolObject {
            guard let t = v.as(ToolObject.self) else { throw PyError.type("expected a dspy.Tool") }
            return t
        }
        t.property("name", get: { _, me in .str(try tool(me).payload.name) })
        t.property("desc", get: { _, me in try tool(me).payload.desc.map { .str($0) } ?? .none })
        t.property("args", get: { _, me in Convert.python(.object(try tool(me).payload.args)) })
        t.property("has_kwargs", get: { _, me in .bool(try tool(me).payload.hasKwargs) })
        t.property("func", get: { _, me in try tool(me).function })
        t.method("__call__", "__call__(**kwargs)", doc: "Run the tool with checked arguments (an async tool needs allow_tool_async_sync_conversion).")
        { ctx, me, a in
            let tl = try tool(me).payload
            guard a.positional.isEmpty else { throw PyError.type("tools take keyword arguments, e.g. \(tl.name)(x=5)") }
            let inputs = try Convert.inputs(ctx, a.keywords)
            if case .sync = tl.function {
                do { return result(of: tl, try tl.call(inputs)) } catch let e as PyError { throw e } catch { throw DSPyErrors.python(error) }
            }
            guard Settings.current.allowToolAsyncSyncConversion else {
                throw PyError.value(
                    "You are calling `__call__` on an async tool, please use `acall` instead or enable async-to-sync conversion with `dspy.configure(allow_tool_async_sync_conversion=True)` or `with dspy.context(allow_tool_async_sync_conversion=True):`."
                )
            }
            return result(of: tl, try ctx.dspy { try await tl.acall(inputs) })
        }
        t.method("acall", "acall(**kwargs)", doc: "The awaitable form of calling the tool.") { ctx, me, a in
            let tl = try tool(me).payload
            let inputs = try Convert.inputs(ctx, a.keywords)
            return .object(
                PyNativeAwaitable(
                    name: "\(tl.name).acall", work: { try await tl.acall(inputs) },
                    convert: { _, r in
                        result(of: tl, r as? Value ?? .null)
                    }))
        }
        t.method("format_as_litellm_function_call", "format_as_litellm_function_call()") { _, me, _ in
            Convert.python(try tool(me).payload.formatAsFunctionCall)
        }
        t.method("__str__") { _, me, _ in .str(String(describing: try tool(me).payload)) }
        t.method("__repr__") { ctx, me, _ in
            let tl = try tool(me).payload
            return .str("Tool(name=\(tl.name), desc=\(tl.desc ?? "None"), args=\(try ctx.repr(Convert.python(.object(tl.args)))))")
        }
    }
}
