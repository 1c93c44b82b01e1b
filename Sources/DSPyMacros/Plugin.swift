import DSPyMacroExpansion
import SwiftCompilerPlugin
import SwiftSyntax
import SwiftSyntaxMacros

/// The compiler plugin that serves DSPy's typed-signature macros. The macros' declarations name
/// types of this module, which hand the work to `DSPyMacroExpansion` (a library, so that its
/// tests do not depend on this macro target).
@main
struct DSPyMacrosPlugin: CompilerPlugin {
    let providingMacros: [any Macro.Type] = [SignatureMacro.self, FieldMacro.self]
}

/// `@Signature`: see `DSPyMacroExpansion.SignatureMacro`.
public struct SignatureMacro: MemberMacro, ExtensionMacro {
    public static func expansion(
        of node: AttributeSyntax, providingMembersOf declaration: some DeclGroupSyntax, conformingTo protocols: [TypeSyntax],
        in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        try DSPyMacroExpansion.SignatureMacro.expansion(of: node, providingMembersOf: declaration, conformingTo: protocols, in: context)
    }

    public static func expansion(
        of node: AttributeSyntax, attachedTo declaration: some DeclGroupSyntax, providingExtensionsOf type: some TypeSyntaxProtocol,
        conformingTo protocols: [TypeSyntax], in context: some MacroExpansionContext
    ) throws -> [ExtensionDeclSyntax] {
        try DSPyMacroExpansion.SignatureMacro.expansion(
            of: node, attachedTo: declaration, providingExtensionsOf: type, conformingTo: protocols, in: context)
    }
}

/// `@Input` and `@Output`: see `DSPyMacroExpansion.FieldMacro`.
public struct FieldMacro: PeerMacro {
    public static func expansion(
        of node: AttributeSyntax, providingPeersOf declaration: some DeclSyntaxProtocol, in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        try DSPyMacroExpansion.FieldMacro.expansion(of: node, providingPeersOf: declaration, in: context)
    }
}
