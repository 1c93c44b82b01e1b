import SwiftCompilerPlugin
import SwiftSyntaxMacros

/// The compiler plugin that serves DSPy's typed-signature macros.
@main
struct DSPyMacrosPlugin: CompilerPlugin {
    let providingMacros: [any Macro.Type] = [SignatureMacro.self, FieldMacro.self]
}
