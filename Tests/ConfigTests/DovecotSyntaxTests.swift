import Config
import Testing

private func parse(_ text: String) throws(ConfigError) -> (Settings, [ConfigNote]) {
    var notes: [ConfigNote] = []
    let settings = try ConfigParser.parse(Array(text.utf8), fileName: "d.conf", notes: &notes)
    return (settings, notes)
}

private func failure(_ text: String) -> ConfigError? {
    do {
        _ = try parse(text)
        return nil
    } catch {
        return error
    }
}

@Suite("Dovecot syntax")
struct DovecotSyntaxTests {
    @Test("<file for the ssl_ file settings is the path")
    func fileValues() throws {
        let (s, notes) = try parse("ssl_cert = </etc/ssl/certs/sieve.pem\nssl_key =  < /etc/ssl/private/sieve.key\n")
        #expect(s.sslCert == "/etc/ssl/certs/sieve.pem")
        #expect(s.sslKey == "/etc/ssl/private/sieve.key")
        #expect(notes.isEmpty)
        #expect(failure("log_path = </var/log/x")?.message.contains("only for the ssl_ file settings") == true)
        // Found by FuzzConfig: `< <x` was taken as the path `<x`, which printed back as `<x` means the path `x`.
        #expect(failure("ssl_cert = <\t <x\n")?.message.contains("cannot start with '<'") == true)
        #expect(failure("ssl_cert = \"<<x\"\n")?.message.contains("cannot start with '<'") == true)
    }

    @Test("Pigeonhole's location sets the storage and the active link")
    func location() throws {
        let (s, _) = try parse("sieve = file:~/sieve;active=~/.dovecot.sieve\n")
        #expect(s.sieveStorage == "~/sieve" && s.sieve == "~/.dovecot.sieve")
        let (t, _) = try parse("sieve = file:/var/sieve/%u;bindir=/var/bin;active=/var/active/%u.sieve\n")
        #expect(t.sieveStorage == "/var/sieve/%u" && t.sieve == "/var/active/%u.sieve")
        let (u, _) = try parse("sieve = file:~/scripts\n")
        #expect(u.sieveStorage == "~/scripts" && u.sieve == "~/.dovecot.sieve")
        let (v, _) = try parse("sieve = ~/.my.sieve\n")
        #expect(v.sieveStorage == "~/sieve" && v.sieve == "~/.my.sieve")
        #expect(failure("sieve = dict:proxy::sieve\n")?.message.contains("only Pigeonhole's file:") == true)
        #expect(failure("sieve = file:~/sieve;nosuch=1\n")?.message.contains("unknown option 'nosuch'") == true)
        #expect(failure("sieve = file:~/sieve\nsieve_storage = ~/x\n")?.message.contains("keep one") == true)
        // A relative active link is refused where it is written; `t:::sieve` would have been printed back as a
        // location of type `t` that does not parse (found by FuzzConfig).
        #expect(failure("sieve = file:~/sieve;active=t:::sieve\n")?.message.contains("relative path") == true)
        #expect(failure("sieve = file:~/sieve;active=.dovecot.sieve\n")?.message.contains("relative path") == true)
        #expect(try parse("sieve = file:~/sieve;active=%h/.a.sieve\n").0.sieve == "%h/.a.sieve")
    }

    @Test("sieve_dir is sieve_storage's other name; both at once is an error")
    func sieveDir() throws {
        #expect(try parse("sieve_dir = ~/old\n").0.sieveStorage == "~/old")
        #expect(failure("sieve_dir = ~/a\nsieve_storage = ~/b\n")?.line == 2)
    }

    @Test(
        "mail_location gives the storage when none is set",
        arguments: [
            ("maildir:~/Maildir", "~/Maildir/sieve"), ("maildir:~/Maildir/", "~/Maildir/sieve"),
            ("maildir:~/Maildir:INBOX=~/Maildir/.INBOX:CONTROL=/var/control/%u", "/var/control/%u/sieve"),
            ("mbox:~/mail:INBOX=/var/mail/%u", "~/mail/sieve"), ("mdbox:~/mdbox", "~/mdbox/sieve"),
            ("~/Maildir", "~/Maildir/sieve"),
        ])
    func mailLocation(location: String, storage: String) throws {
        #expect(try parse("mail_location = \(location)\n").0.sieveStorage == storage)
        #expect(try parse("mail_location = \(location)\nsieve_storage = /x/%u\n").0.sieveStorage == "/x/%u")
    }

    @Test("plugin and protocol sieve blocks apply; service blocks and Dovecot-only keys are noted")
    func blocks() throws {
        let text = """
            protocols = imap sieve
            service managesieve-login {
              inet_listener sieve {
                port = 4190
              }
              nonsense_here = 1
            }
            protocol sieve { # comment
              managesieve_max_compile_errors = 9
            }
            protocol imap {
              mail_max_userip_connections = 10
            }
            plugin {
              sieve = file:~/s;active=~/.a.sieve
              sieve_before = /etc/sieve/before.sieve
            }
            mail_debug = yes
            """
        let (s, notes) = try parse(text)
        #expect(s.maxCompileErrors == 9 && s.sieveStorage == "~/s" && s.sieve == "~/.a.sieve" && s.mailDebug)
        #expect(notes.map(\.line) == [1, 2, 11, 16])
        #expect(
            notes[1].message == "ignored: Dovecot's service blocks configure the listener; here inetd/xinetd/systemd do"
        )
    }

    @Test("typos and unknown keys stay errors; blocks must balance; includes are refused")
    func errors() {
        #expect(failure("sieve_max_scrip_size = 1M\n")?.message.contains("did you mean") == true)
        #expect(failure("frobnicate = 1\n")?.message == "unknown key 'frobnicate'")
        #expect(failure("plugin {\n")?.message.contains("not closed") == true)
        #expect(failure("}\n")?.message.contains("without an open block") == true)
        #expect(failure("!include conf.d/*.conf\n")?.message.contains("includes are not supported") == true)
        #expect(failure("plugin {\n  frobnicate = 1\n}\n")?.line == 2)
    }
}
