/// The builtin types. Each is built once, with its methods, the first time it is used.
public enum Builtins {
    /// Makes a builtin type whose class is `type`.
    public static func makeType(
        _ name: String, base: PyType? = objectType, module: String = "builtins", doc: String? = nil,
        native: PyType.NativeBehavior = PyType.NativeBehavior(),
        install: ((PyType) -> Void)? = nil
    ) -> PyType {
        var behavior = native
        if let base {
            // Natives inherit their base's hooks (a prediction reads fields as an example does).
            if behavior.makeInstance == nil { behavior.makeInstance = base.native.makeInstance }
            if behavior.getAttribute == nil { behavior.getAttribute = base.native.getAttribute }
            if behavior.setAttribute == nil { behavior.setAttribute = base.native.setAttribute }
            if behavior.classRepr == nil { behavior.classRepr = base.native.classRepr }
        }
        let t = PyType(name: name, bases: base.map { [$0] } ?? [], module: module, isBuiltin: true, doc: doc, native: behavior)
        t.type = typeType
        install?(t)
        return t
    }

    public static let typeType: PyType = {
        let t = PyType(name: "type", bases: [], isBuiltin: true)
        t.type = t
        return t
    }()

    public static let objectType: PyType = {
        let t = PyType(name: "object", bases: [], isBuiltin: true, doc: "The base class of the class hierarchy.")
        t.type = typeType
        return t
    }()

    /// Installs methods that need the other builtin types (called once by the interpreter).
    static let installed: Bool = {
        ObjectMethods.install(objectType)
        TypeMethods.install(typeType)
        ExceptionMethods.installSpecificAttributes()
        BuiltinSubclasses.install()
        typeType.bases = [objectType]
        typeType.mro = [typeType, objectType]
        return true
    }()

    public static let noneType = makeType("NoneType", native: .init(subclassable: false))
    public static let boolType = makeType("bool", base: intType, native: .init(subclassable: false)) { NumberMethods.installBool($0) }
    public static let intType = makeType("int", native: .init(subclassable: false)) { NumberMethods.installInt($0) }
    public static let floatType = makeType("float", native: .init(subclassable: false)) { NumberMethods.installFloat($0) }
    public static let strType = makeType("str", native: .init(subclassable: false)) { StrMethods.install($0) }
    public static let listType = makeType("list", native: .init(subclassable: false)) { ListMethods.install($0) }
    public static let tupleType = makeType("tuple", native: .init(subclassable: false)) { TupleMethods.install($0) }
    public static let dictType = makeType("dict", native: .init(subclassable: false)) { DictMethods.install($0) }
    public static let setType = makeType("set", native: .init(subclassable: false)) { SetMethods.install($0, frozen: false) }
    public static let frozensetType = makeType("frozenset", native: .init(subclassable: false)) { SetMethods.install($0, frozen: true) }
    public static let rangeType = makeType("range", native: .init(subclassable: false)) { MiscMethods.installRange($0) }
    public static let sliceType = makeType("slice", native: .init(subclassable: false)) { MiscMethods.installSlice($0) }
    public static let functionType = makeType("function", native: .init(subclassable: false)) { MiscMethods.installFunction($0) }
    public static let builtinFunctionType = makeType("builtin_function_or_method", native: .init(subclassable: false))
    public static let methodDescriptorType = makeType("method_descriptor", native: .init(subclassable: false))
    public static let getSetDescriptorType = makeType("getset_descriptor", native: .init(subclassable: false))
    public static let methodType = makeType("method", native: .init(subclassable: false)) { MiscMethods.installMethod($0) }
    public static let moduleType = makeType("module", native: .init(subclassable: false))
    public static let propertyType = makeType("property") { MiscMethods.installProperty($0) }
    public static let staticMethodType = makeType("staticmethod") { MiscMethods.installStaticMethod($0) }
    public static let classMethodType = makeType("classmethod") { MiscMethods.installClassMethod($0) }
    public static let superType = makeType("super", native: .init(subclassable: false))
    public static let notImplementedType = makeType("NotImplementedType", native: .init(subclassable: false))
    public static let ellipsisType = makeType("ellipsis", native: .init(subclassable: false))
    public static let generatorType = makeType("generator", native: .init(subclassable: false)) { GeneratorMethods.install($0) }
    public static let coroutineType = makeType("coroutine", native: .init(subclassable: false)) { CoroutineMethods.install($0) }
    public static let iteratorType = makeType("iterator", native: .init(subclassable: false)) { IteratorMethods.install($0) }
    public static let dictKeysType = makeType("dict_keys", native: .init(subclassable: false)) { DictMethods.installView($0) }
    public static let dictValuesType = makeType("dict_values", native: .init(subclassable: false)) { DictMethods.installView($0) }
    public static let dictItemsType = makeType("dict_items", native: .init(subclassable: false)) { DictMethods.installView($0) }

    public static let notImplemented = PyValue.object(PySingleton(name: "NotImplemented", type: notImplementedType))
    public static let ellipsis = PyValue.object(PySingleton(name: "Ellipsis", type: ellipsisType))

    // MARK: Exceptions

    public static func exceptionType(_ name: String, _ base: PyType?, module: String = "builtins", doc: String? = nil) -> PyType {
        makeType(
            name, base: base ?? objectType, module: module, doc: doc,
            native: .init(construct: nil, makeInstance: { _, cls in PyExceptionObject(cls: cls) }, subclassable: true)
        ) { t in
            if base == nil { ExceptionMethods.install(t) }
        }
    }

    public static let baseExceptionType = exceptionType("BaseException", nil, doc: "Common base class for all exceptions")
    public static let systemExitType = exceptionType("SystemExit", baseExceptionType, doc: "Request to exit from the interpreter.")
    public static let keyboardInterruptType = exceptionType("KeyboardInterrupt", baseExceptionType)
    public static let generatorExitType = exceptionType("GeneratorExit", baseExceptionType)
    public static let exceptionBaseType = exceptionType("Exception", baseExceptionType, doc: "Common base class for all non-exit exceptions.")
    public static let stopIterationType = exceptionType("StopIteration", exceptionBaseType, doc: "Signal the end from iterator.__next__().")
    public static let stopAsyncIterationType = exceptionType("StopAsyncIteration", exceptionBaseType)
    public static let arithmeticErrorType = exceptionType("ArithmeticError", exceptionBaseType)
    public static let overflowErrorType = exceptionType("OverflowError", arithmeticErrorType)
    public static let zeroDivisionErrorType = exceptionType("ZeroDivisionError", arithmeticErrorType)
    public static let floatingPointErrorType = exceptionType("FloatingPointError", arithmeticErrorType)
    public static let assertionErrorType = exceptionType("AssertionError", exceptionBaseType)
    public static let attributeErrorType = exceptionType("AttributeError", exceptionBaseType)
    public static let bufferErrorType = exceptionType("BufferError", exceptionBaseType)
    public static let eofErrorType = exceptionType("EOFError", exceptionBaseType)
    public static let importErrorType = exceptionType("ImportError", exceptionBaseType)
    public static let moduleNotFoundErrorType = exceptionType("ModuleNotFoundError", importErrorType)
    public static let lookupErrorType = exceptionType("LookupError", exceptionBaseType)
    public static let indexErrorType = exceptionType("IndexError", lookupErrorType)
    public static let keyErrorType = exceptionType("KeyError", lookupErrorType)
    public static let memoryErrorType = exceptionType("MemoryError", exceptionBaseType)
    public static let nameErrorType = exceptionType("NameError", exceptionBaseType)
    public static let unboundLocalErrorType = exceptionType("UnboundLocalError", nameErrorType)
    public static let osErrorType = exceptionType("OSError", exceptionBaseType)
    public static let fileNotFoundErrorType = exceptionType("FileNotFoundError", osErrorType)
    public static let fileExistsErrorType = exceptionType("FileExistsError", osErrorType)
    public static let permissionErrorType = exceptionType("PermissionError", osErrorType)
    public static let isADirectoryErrorType = exceptionType("IsADirectoryError", osErrorType)
    public static let notADirectoryErrorType = exceptionType("NotADirectoryError", osErrorType)
    public static let timeoutErrorType = exceptionType("TimeoutError", osErrorType)
    public static let connectionErrorType = exceptionType("ConnectionError", osErrorType)
    public static let runtimeErrorType = exceptionType("RuntimeError", exceptionBaseType)
    public static let notImplementedErrorType = exceptionType("NotImplementedError", runtimeErrorType)
    public static let recursionErrorType = exceptionType("RecursionError", runtimeErrorType)
    public static let syntaxErrorType = exceptionType("SyntaxError", exceptionBaseType)
    public static let indentationErrorType = exceptionType("IndentationError", syntaxErrorType)
    public static let tabErrorType = exceptionType("TabError", indentationErrorType)
    public static let systemErrorType = exceptionType("SystemError", exceptionBaseType)
    public static let typeErrorType = exceptionType("TypeError", exceptionBaseType)
    public static let valueErrorType = exceptionType("ValueError", exceptionBaseType)
    public static let unicodeErrorType = exceptionType("UnicodeError", valueErrorType)
    public static let unicodeDecodeErrorType = exceptionType("UnicodeDecodeError", unicodeErrorType)
    public static let unicodeEncodeErrorType = exceptionType("UnicodeEncodeError", unicodeErrorType)
    public static let warningType = exceptionType("Warning", exceptionBaseType)
    public static let userWarningType = exceptionType("UserWarning", warningType)
    public static let deprecationWarningType = exceptionType("DeprecationWarning", warningType)
    public static let runtimeWarningType = exceptionType("RuntimeWarning", warningType)
    public static let cancelledErrorType = exceptionType("CancelledError", baseExceptionType, module: "asyncio.exceptions")

    /// Every builtin exception, for the builtins namespace.
    public static var exceptionTypes: [PyType] {
        [
            baseExceptionType, systemExitType, keyboardInterruptType, generatorExitType, exceptionBaseType, stopIterationType,
            stopAsyncIterationType, arithmeticErrorType, overflowErrorType, zeroDivisionErrorType, floatingPointErrorType,
            assertionErrorType, attributeErrorType, bufferErrorType, eofErrorType, importErrorType, moduleNotFoundErrorType,
            lookupErrorType, indexErrorType, keyErrorType, memoryErrorType, nameErrorType, unboundLocalErrorType, osErrorType,
            fileNotFoundErrorType, fileExistsErrorType, permissionErrorType, isADirectoryErrorType, notADirectoryErrorType,
            timeoutErrorType, connectionErrorType, runtimeErrorType, notImplementedErrorType, recursionErrorType, syntaxErrorType,
            indentationErrorType, tabErrorType, systemErrorType, typeErrorType, valueErrorType, unicodeErrorType,
            unicodeDecodeErrorType, unicodeEncodeErrorType, warningType, userWarningType, deprecationWarningType, runtimeWarningType,
        ]
    }
}
