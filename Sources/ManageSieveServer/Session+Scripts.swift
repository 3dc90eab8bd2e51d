import Auth
import ManageSieveProtocol
import Posix
import SieveCompiler
import SieveStorage

// RFC 5804 §2.5–2.12 and §2.14: the commands of the authenticated state.
extension Session {
    mutating func handleAuthenticated(_ command: Command, context: UserContext) -> [Effect] {
        let store = context.store
        switch command {
        case .authenticate:
            return [.send(.response(Response(.no, Texts.alreadyAuthenticated)))]
        case .unauthenticate:
            previousUser = context.user
            state = .nonAuthenticated
            return [
                .log(.info, "unauthenticate: user=\(context.user)"), .setParserLimits(settings.preLoginParserLimits),
                .send(.response(.ok)),
            ]
        case .listScripts:
            return perform {
                let entries = try store.listScriptNames().map { ScriptListEntry(name: $0.name, isActive: $0.isActive) }
                return [.send(.scriptList(entries)), .send(.response(.ok))]
            }
        case .getScript(let rawName):
            return withName(rawName) { name in
                perform { [.send(.script(try store.getScript(name))), .send(.response(.ok))] }
            }
        case .haveSpace(let rawName, let size):
            return withName(rawName) { name in
                if size > UInt64(context.maxScriptSize) {
                    return refuseSize(limit: context.maxScriptSize)
                }
                return perform {
                    try store.checkSpace(name: name, size: size)
                    return [.send(.response(.ok))]
                }
            }
        case .putScript(let rawName, let content):
            return withName(rawName) { name in putScript(name: name, content: content, context: context) }
        case .checkScript(let content):
            return checkScript(content: content, context: context)
        case .setActive(let rawName):
            if rawName.isEmpty {
                return perform {
                    try store.setActive(nil)
                    return [.log(.info, "deactivated the active script"), .send(.response(.ok))]
                }
            }
            return withName(rawName) { name in setActive(name: name, context: context) }
        case .deleteScript(let rawName):
            return withName(rawName) { name in
                perform {
                    try store.exclusively { () throws(StorageError) -> [Effect] in
                        if let refusal = try integrity(context).checkRemoval(of: name) {
                            return refuse(refusal, "delete '\(name)'")
                        }
                        try store.deleteScript(name)
                        return [.log(.info, "deleted script '\(name)'"), .send(.response(.ok))]
                    }
                }
            }
        case .renameScript(let rawOld, let rawNew):
            return withName(rawOld) { oldName in
                withName(rawNew) { newName in
                    perform {
                        try store.exclusively { () throws(StorageError) -> [Effect] in
                            if let refusal = try integrity(context).checkRename(oldName, to: newName) {
                                return refuse(refusal, "rename '\(oldName)'")
                            }
                            try store.renameScript(oldName, to: newName)
                            return [
                                .log(.info, "renamed script '\(oldName)' to '\(newName)'"), .send(.response(.ok)),
                            ]
                        }
                    }
                }
            }
        case .startTLS, .capability, .logout, .noop, .xclient:
            // Answered before the state dispatch.
            return []
        }
    }

    func refuseSize(limit: Int) -> [Effect] {
        [.send(.response(Response(.no, code: .quotaMaxSize, Texts.quota(.maxSize, limit: UInt64(limit)))))]
    }

    /// Validates a script name (RFC 5804 §1.6) before running `body` with it.
    func withName(_ raw: [UInt8], _ body: (String) -> [Effect]) -> [Effect] {
        do {
            let name = try ScriptName(validating: raw)
            return body(name.string)
        } catch {
            return [.send(.response(Response(.no, Texts.invalidScriptName(error))))]
        }
    }

    /// Runs a storage operation, mapping its errors to responses.
    func perform(_ body: () throws -> [Effect]) -> [Effect] {
        do {
            return try body()
        } catch let error as StorageError {
            return Session.effects(for: error)
        } catch {
            return Session.effects(for: .io(SystemError(operation: "storage", errno: 0, detail: "\(error)")))
        }
    }

    /// The one place where storage errors become response codes (DESIGN.md convention 5).
    static func effects(for error: StorageError) -> [Effect] {
        switch error {
        case .notFound(let name):
            return [.send(.response(Response(.no, code: .nonExistent, Texts.nonExistent(name))))]
        case .alreadyExists(let name):
            return [.send(.response(Response(.no, code: .alreadyExists, Texts.alreadyExists(name))))]
        case .isActive(let name):
            return [.send(.response(Response(.no, code: .active, Texts.activeNotDeletable(name))))]
        case .quotaExceeded(let kind, let limit):
            let code: ResponseCode =
                switch kind {
                case .maxSize: .quotaMaxSize
                case .maxScripts: .quotaMaxScripts
                case .maxStorage: .quotaMaxStorage
                }
            return [.send(.response(Response(.no, code: code, Texts.quota(kind, limit: limit))))]
        case .tryLater:
            return [
                .log(.warning, "storage lock timeout"),
                .send(.response(Response(.no, code: .tryLater, Texts.storageBusy))),
            ]
        case .invalidName(let name):
            return [.send(.response(Response(.no, Texts.invalidStoredScriptName(name))))]
        case .io(let error):
            // ENOSPC and EDQUOT: the file system, not us, is out of room.
            if error.isOutOfSpace {
                return [
                    .log(.warning, "storage full: \(error)"),
                    .send(.response(Response(.no, code: .quota, Texts.diskFull))),
                ]
            }
            return [
                .log(.error, "storage error: \(error)"),
                .send(.response(Response(.no, code: .tryLater, Texts.storageFailure))),
            ]
        }
    }

    func compiler(includeProblemsAreErrors: Bool = false) -> SieveCompiler {
        var options = settings.compileOptions
        options.includeProblemsAreErrors = includeProblemsAreErrors
        return SieveCompiler(options: options)
    }

    /// Compiles an uploaded script; returns the refusal to send, or the warnings.
    func validate(_ content: [UInt8], context: UserContext) -> (refusal: [Effect]?, warnings: [Diagnostic]) {
        if content.isEmpty {
            return ([.send(.response(Response(.no, Texts.emptyScript)))], [])
        }
        if content.count > context.maxScriptSize {
            return (refuseSize(limit: context.maxScriptSize), [])
        }
        let store = context.store
        let result = compiler().compile(
            content,
            includeExists: { reference in
                reference.isGlobal || ((try? store.scriptExists(reference.name)) ?? false)
            })
        if !result.isValid {
            let text = result.errors.map(\.wireText).joined(separator: "\r\n")
            return ([.send(.response(Response(.no, text)))], result.warnings)
        }
        return (nil, result.warnings)
    }

    static func okWithWarnings(_ warnings: [Diagnostic]) -> Effect {
        if warnings.isEmpty { return .send(.response(.ok)) }
        let text = warnings.map(\.wireText).joined(separator: "\r\n")
        return .send(.response(Response(.ok, code: .warnings, text)))
    }

    func putScript(name: String, content: [UInt8], context: UserContext) -> [Effect] {
        let (refusal, warnings) = validate(content, context: context)
        if let refusal { return [.log(.info, "refused script '\(name)': invalid")] + refusal }
        let store = context.store
        let integrity = integrity(context)
        let stored: [Effect] = [
            .log(.info, "stored script '\(name)' (\(content.count) bytes)"), Session.okWithWarnings(warnings),
        ]
        return perform {
            // Most uploads touch nothing the active script includes: they keep writing their file outside
            // the lock. The others are checked again under it, with the store as it then is.
            guard try integrity.concernsActive(name) else {
                try store.putScript(name, content: content)
                return stored
            }
            return try store.exclusively { () throws(StorageError) -> [Effect] in
                if let refusal = try integrity.checkReplacement(of: name, with: content) {
                    return refuse(refusal, "store '\(name)'")
                }
                try store.putScript(name, content: content)
                return stored
            }
        }
    }

    func integrity(_ context: UserContext) -> IncludeIntegrity {
        IncludeIntegrity(
            store: context.store, compiler: compiler(), activationCompiler: compiler(includeProblemsAreErrors: true))
    }

    /// A change the active script's includes forbid: NO (ACTIVE), the code RFC 5804 gives a command refused
    /// because of the active script, when the script is needed; a plain NO with the compiler's errors when the
    /// new version would break it.
    func refuse(_ refusal: IncludeIntegrity.Refusal, _ action: String) -> [Effect] {
        let response =
            switch refusal {
            case .required: Response(.no, code: .active, refusal.text)
            case .breaksActive: Response(.no, refusal.text)
            }
        return [.log(.info, "refused to \(action): needed by the active script"), .send(.response(response))]
    }

    func checkScript(content: [UInt8], context: UserContext) -> [Effect] {
        let (refusal, warnings) = validate(content, context: context)
        if let refusal { return refusal }
        return [Session.okWithWarnings(warnings)]
    }

    /// SETACTIVE re-checks the script and what it includes, with include problems as errors.
    func setActive(name: String, context: UserContext) -> [Effect] {
        let store = context.store
        return perform {
            let content = try store.getScript(name)
            let result = compiler(includeProblemsAreErrors: true).checkForActivation(
                content, named: name, load: { try? store.getScript($0) })
            if !result.isValid {
                let text = result.errors.map(\.wireText).joined(separator: "\r\n")
                return [.log(.info, "refused to activate '\(name)': invalid"), .send(.response(Response(.no, text)))]
            }
            try store.setActive(name)
            return [.log(.info, "activated script '\(name)'"), Session.okWithWarnings(result.warnings)]
        }
    }
}

extension Session {
    /// The storage error mapping, exposed for tests.
    public static func effectsForTesting(_ error: StorageError) -> [Effect] { effects(for: error) }
}
