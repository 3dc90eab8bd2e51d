import Testing

@testable import SieveCompiler

@Suite("ExtensionSet")
struct ExtensionSetTests {
    static let allCapabilities =
        "fileinto reject envelope encoded-character vacation subaddress comparator-i;ascii-numeric relational regex "
        + "imap4flags copy include variables body enotify environment mailbox date index ihave duplicate mime "
        + "foreverypart extracttext vacation-seconds spamtest spamtestplus virustest editheader mboxmetadata "
        + "servermetadata special-use vnd.dovecot.debug vnd.dovecot.environment vnd.dovecot.report imapflags notify "
        + "vnd.dovecot.duplicate vnd.dovecot.pipe vnd.dovecot.filter vnd.dovecot.execute imapsieve "
        + "vnd.dovecot.imapsieve"

    static let defaultCapabilities =
        "fileinto reject envelope encoded-character vacation subaddress comparator-i;ascii-numeric relational regex "
        + "imap4flags copy include variables body enotify environment mailbox date index ihave duplicate mime "
        + "foreverypart extracttext"

    @Test("the capability string of every extension equals Pigeonhole's")
    func all() {
        #expect(ExtensionSet.all.capabilityString == Self.allCapabilities)
    }

    @Test("the default set stops at extracttext")
    func defaultSet() {
        #expect(ExtensionSet.pigeonholeDefault.capabilityString == Self.defaultCapabilities)
        #expect(ExtensionSet.pigeonholeDefault.notifyMethods == ["mailto"])
        #expect(!ExtensionSet.pigeonholeDefault.contains("editheader"))
    }

    @Test(
        "parsing sieve_extensions",
        arguments: [
            ("fileinto reject", "fileinto reject"),
            ("+editheader", defaultCapabilities + " editheader"),
            (
                "-enotify -fileinto",
                String(defaultCapabilities.dropFirst("fileinto ".count)).replacing(" enotify", with: "")
            ),
            ("  fileinto\t+vacation  -fileinto ", "vacation"),
            ("", defaultCapabilities),
            ("+ereject", "fileinto reject ereject" + String(defaultCapabilities.dropFirst("fileinto reject".count))),
        ])
    func parsing(spec: String, expected: String) throws {
        let set = try ExtensionSet(parsing: spec)
        #expect(set.capabilityString == expected)
    }

    @Test("an unknown name is an error naming it")
    func unknown() {
        #expect(throws: ExtensionSetError.self) { try ExtensionSet(parsing: "+fileinto +editheadr") }
        do {
            _ = try ExtensionSet(parsing: "+editheadr")
        } catch {
            #expect(error.name == "editheadr")
            #expect(error.message == "unknown Sieve extension 'editheadr' (did you mean 'editheader'?)")
        }
    }

    @Test("no notify methods without enotify")
    func notifyMethods() throws {
        #expect(try ExtensionSet(parsing: "-enotify").notifyMethods.isEmpty)
        #expect(try ExtensionSet(parsing: "-enotify").notifyCapability == nil)
        #expect(ExtensionSet.pigeonholeDefault.notifyCapability == "mailto")
    }

    @Test("every registered extension has one definition with a unique name")
    func registry() {
        #expect(Set(ExtensionRegistry.names).count == ExtensionRegistry.names.count)
        #expect(ExtensionSet.all.names.count == ExtensionRegistry.names.count - 1)
    }

    @Test("the precomputed default capability string is the one the registry gives")
    func precomputedDefault() {
        let built = ExtensionSet(ExtensionRegistry.defaultNames)
        #expect(ExtensionSet.defaultCapabilityString == built.capabilityString)
        #expect(ExtensionSet.pigeonholeDefault.capabilityString == built.capabilityString)
        #expect(ExtensionSet.pigeonholeDefault.names == built.names)
        #expect(ExtensionSet.pigeonholeDefault.notifyMethods == built.notifyMethods)
    }

    @Test("the default set equals the same set built from names, and differs from others")
    func defaultEquality() throws {
        #expect(ExtensionSet.pigeonholeDefault == ExtensionSet(ExtensionRegistry.defaultNames))
        #expect(try ExtensionSet(parsing: "") == .pigeonholeDefault)
        #expect(try ExtensionSet(parsing: "+fileinto") == .pigeonholeDefault)
        #expect(try ExtensionSet(parsing: "-fileinto") != .pigeonholeDefault)
        #expect(ExtensionSet.pigeonholeDefault != .all)
        #expect(ExtensionSet.pigeonholeDefault.contains("fileinto"))
        #expect(ExtensionSet.pigeonholeDefault.contains("extracttext"))
        #expect(!ExtensionSet.pigeonholeDefault.contains("ereject"))
    }
}
