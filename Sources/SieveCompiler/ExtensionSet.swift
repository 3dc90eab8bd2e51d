/// A set of enabled Sieve extensions (Dovecot's `sieve_extensions`).
public struct ExtensionSet: Equatable, Sendable {
    /// The enabled names; nil for Pigeonhole's default set. The default is the set of nearly every
    /// connection, and it is only described, not built, until a script is compiled: building it (the registry,
    /// a `Set<String>`) before every greeting cost more than the rest of the start-up, and the greeting only
    /// needs its capability string (`defaultCapabilityString`).
    private var explicit: Set<String>?

    init(_ names: some Sequence<String>) { explicit = Set(names) }

    private init(default: Void) { explicit = nil }

    /// Pigeonhole 0.5.19's default set (it stops at extracttext).
    public static let pigeonholeDefault = ExtensionSet(default: ())

    /// Every extension Pigeonhole 0.5.19 (Debian's build) can advertise. `ereject`, which that build lacks,
    /// is known but only enabled when named explicitly.
    public static let all = ExtensionSet(ExtensionRegistry.names.filter { $0 != "ereject" })

    /// The default set, built on first use (a compile, or a set derived from the default).
    private static let defaultNames = Set(ExtensionRegistry.defaultNames)

    /// The SIEVE capability string of `pigeonholeDefault`, precomputed (a test checks it against the registry).
    /// One string literal (continued lines, no `+`): immortal, so making it and dropping it before a greeting
    /// costs no allocation, and no first heap-string release (which instantiates runtime metadata).
    static var defaultCapabilityString: String {
        """
        fileinto reject envelope encoded-character vacation subaddress comparator-i;ascii-numeric relational \
        regex imap4flags copy include variables body enotify environment mailbox date index ihave duplicate \
        mime foreverypart extracttext
        """
    }

    private var enabled: Set<String> { explicit ?? Self.defaultNames }

    public static func == (lhs: ExtensionSet, rhs: ExtensionSet) -> Bool {
        if lhs.explicit == nil && rhs.explicit == nil { return true }
        return lhs.enabled == rhs.enabled
    }

    /// Dovecot `sieve_extensions` syntax: a space-separated list; plain names replace the default set,
    /// `+name` adds, `-name` removes (applied to the default when the list has only +/- items).
    public init(parsing spec: String) throws(ExtensionSetError) {
        var plain: [String] = []
        var adds: [String] = []
        var removes: [String] = []
        for word in spec.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }) {
            var name = String(word)
            var op: Character? = nil
            if name.first == "+" || name.first == "-" {
                op = name.first
                name.removeFirst()
            }
            guard ExtensionRegistry.byName[name] != nil else {
                let suggestion = Suggest.closest(to: name, in: ExtensionRegistry.names)
                throw ExtensionSetError(
                    name: name,
                    message: DiagnosticKind.unknownCapability(name, suggestion: suggestion).extensionSetMessage)
            }
            switch op {
            case "+": adds.append(name)
            case "-": removes.append(name)
            default: plain.append(name)
            }
        }
        var result = plain.isEmpty ? Set(ExtensionRegistry.defaultNames) : Set(plain)
        result.formUnion(adds)
        result.subtract(removes)
        explicit = result
    }

    public func contains(_ name: String) -> Bool { enabled.contains(name) }

    /// The enabled names, in registry order.
    public var names: [String] {
        let enabled = enabled
        return ExtensionRegistry.names.filter { enabled.contains($0) }
    }

    /// The SIEVE capability value: space-separated, registry order.
    /// Pigeonhole advertises `ereject` right after `reject` only when built with it; we keep that place.
    /// Built with a loop over the registry rather than `byName` and `joined`: it is in every greeting, and
    /// the first use of those generic types costs more start-up than the whole loop.
    public var capabilityString: String {
        guard let enabled = explicit else { return Self.defaultCapabilityString }
        var result = ""
        for definition in ExtensionRegistry.all where definition.isRequirable && enabled.contains(definition.name) {
            if !result.isEmpty { result += " " }
            result += definition.name
        }
        return result
    }

    /// `["mailto"]` when enotify is enabled.
    public var notifyMethods: [String] { notifyCapability.map { [$0] } ?? [] }

    /// The NOTIFY capability's value (`notifyMethods`, space-separated); nil without `enotify`. A string, not an
    /// array: the greeting needs only this, and a process's first array of strings costs its start-up more.
    public var notifyCapability: String? { explicit == nil || contains("enotify") ? "mailto" : nil }
}

public struct ExtensionSetError: Error, Equatable, Sendable {
    public var name: String
    public var message: String
    public init(name: String, message: String) {
        self.name = name
        self.message = message
    }
}
