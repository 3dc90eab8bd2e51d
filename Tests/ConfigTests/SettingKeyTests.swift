import Testing

@testable import Config

@Suite("SettingKey")
struct SettingKeyTests {
    @Test("both switches know every key, and each default value reads back unchanged", arguments: SettingKey.names)
    func everyKeyRoundTrips(name: String) throws {
        let defaults = Settings()
        let rendered = try #require(SettingKey.render(name, of: defaults))
        var settings = Settings()
        #expect(try SettingKey.apply(name, rendered, to: &settings))
        #expect(settings == defaults)
    }

    @Test("a set value reads back from what render prints", arguments: SettingKey.names)
    func setValueRoundTrips(name: String) throws {
        // A non-default value for each kind: a text, a count, a size, a time, a word, a boolean or a list.
        let samples = [
            "/srv/x", "7", "3M", "90 s", "local3", "TLSv1.3", "required", "yes", "a b", "plain login", "all",
        ]
        var changed: Settings?
        for sample in samples {
            var settings = Settings()
            if (try? SettingKey.apply(name, sample, to: &settings)) == true, settings != Settings() {
                changed = settings
                break
            }
        }
        let settings = try #require(changed, "no sample value changes '\(name)'")
        let rendered = try #require(SettingKey.render(name, of: settings))
        var reread = Settings()
        #expect(try SettingKey.apply(name, rendered, to: &reread))
        #expect(reread == settings)
    }

    @Test("an unknown name is known to neither switch")
    func unknown() throws {
        var settings = Settings()
        #expect(try !SettingKey.apply("passwd_files", "x", to: &settings))
        #expect(SettingKey.render("PASSWD_FILE", of: settings) == nil)
        #expect(settings == Settings())
    }

    @Test("units are matched in any case", arguments: ["4M", "4m", "4 MB", "4 mib", "4 MiB"])
    func unitCase(text: String) throws {
        var settings = Settings()
        #expect(try SettingKey.apply("sieve_max_script_size", text, to: &settings))
        #expect(settings.maxScriptSize == 4 << 20)
    }

    @Test("time units are matched in any case", arguments: ["2 MIN", "2 Minutes", "2m", "120 S", "120000 MS"])
    func timeUnitCase(text: String) throws {
        var settings = Settings()
        #expect(try SettingKey.apply("auth_failure_delay", text, to: &settings))
        #expect(settings.authFailureDelayMilliseconds == 120_000)
    }
}
