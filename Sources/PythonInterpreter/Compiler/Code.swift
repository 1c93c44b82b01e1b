/// What a statement tells the enclosing block to do next.
public enum Flow {
    case normal
    case breakLoop
    case continueLoop
    case returnValue(PyValue)
}

/// An evaluable expression node.
class ExprNode: @unchecked Sendable {
    // Sendable proof: nodes are immutable after compilation (inline caches are only touched under
    // the interpreter lock).
    let position: SourcePosition
    init(_ position: SourcePosition) { self.position = position }
    func eval(_ f: Frame) throws -> PyValue { fatalError("abstract") }
}

/// An executable statement node.
class StmtNode: @unchecked Sendable {
    // Sendable proof: as ExprNode.
    let position: SourcePosition
    let endLine: Int
    init(_ position: SourcePosition, endLine: Int) {
        self.position = position
        self.endLine = endLine
    }
    func exec(_ f: Frame) throws -> Flow { fatalError("abstract") }
}

/// The parameters of a compiled function, by local slot.
struct ParameterSpec: Sendable {
    var names: [String] = []
    /// How many leading names are positional (positional-only ones included).
    var positionalCount = 0
    var positionalOnlyCount = 0
    var keywordOnlyCount = 0
    /// Slot of `*args` / `**kwargs`, if present (they follow the named parameters).
    var varArgsSlot: Int?
    var varKeywordsSlot: Int?
    /// Positional-or-keyword and keyword-only parameter names by slot, for keyword lookup.
    var slotByName: [String: Int] = [:]

    var namedCount: Int { positionalCount + keywordOnlyCount }
}

/// A compiled function body (or module body): its code and the layout of its frame.
public final class CodeObject: @unchecked Sendable {
    // Sendable proof: immutable after the compiler sets `body`.
    public let name: String
    public let qualname: String
    public let filename: String
    public let firstLine: Int
    let parameters: ParameterSpec
    let localNames: [String]
    /// Cells this code creates (captured locals), and which local slot (parameter) seeds each.
    let cellNames: [String]
    let cellSeeds: [Int?]
    /// Cells it receives from its closure.
    let freeNames: [String]
    var body: [StmtNode] = []
    public let isGenerator: Bool
    public let isAsync: Bool
    public let docstring: String?
    /// The text of the signature for `help()`: `(a, b=1, *args, **kwargs)`.
    public let signatureText: String

    /// Parameter names in order: positional ones, then keyword-only ones (`*args` and
    /// `**kwargs` excluded).
    public var parameterNames: [String] { Array(parameters.names.prefix(parameters.namedCount)) }
    public var positionalParameterCount: Int { parameters.positionalCount }
    public var hasVarArgs: Bool { parameters.varArgsSlot != nil }
    public var hasVarKeywords: Bool { parameters.varKeywordsSlot != nil }

    init(
        name: String, qualname: String, filename: String, firstLine: Int, parameters: ParameterSpec, localNames: [String],
        cellNames: [String], cellSeeds: [Int?], freeNames: [String], isGenerator: Bool, isAsync: Bool, docstring: String?,
        signatureText: String
    ) {
        self.name = name
        self.qualname = qualname
        self.filename = filename
        self.firstLine = firstLine
        self.parameters = parameters
        self.localNames = localNames
        self.cellNames = cellNames
        self.cellSeeds = cellSeeds
        self.freeNames = freeNames
        self.isGenerator = isGenerator
        self.isAsync = isAsync
        self.docstring = docstring
        self.signatureText = signatureText
    }
}

/// The variables of one running function, class body or module body.
public final class Frame: @unchecked Sendable {
    // Sendable proof: a frame is used by one thread of Python execution at a time, under the
    // interpreter lock (a generator's frame moves between threads only with the lock handed over).
    let code: CodeObject
    var ctx: ExecContext
    var locals: [PyValue?]
    var cells: [Cell]
    let globals: Globals
    /// The namespace of a class body being executed (names resolve there first).
    let classNamespace: PyDict?
    /// The function this frame runs (for zero-argument `super()`).
    let function: PyFunction?

    init(code: CodeObject, ctx: ExecContext, globals: Globals, classNamespace: PyDict? = nil, function: PyFunction? = nil) {
        self.code = code
        self.ctx = ctx
        self.locals = Array(repeating: nil, count: code.localNames.count)
        self.cells = []
        self.globals = globals
        self.classNamespace = classNamespace
        self.function = function
    }
}
