import ArgumentParser
import Foundation
import Posix
import Transcript

/// `managesievectl transcript FILE`: shows a session transcript, or replays its client side against
/// a server and compares the answers. The format is described in docs/transcripts.md.
struct TranscriptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcript",
        abstract: "Show a session transcript (rawlog_dir), or replay its client side against a server.",
        discussion: """
            Without --replay/--replay-exec, prints the transcript with times relative to the session start \
            (colours on a terminal). With them, sends the recorded client commands one at a time, waits for \
            each answer, and prints the new answers beside the recorded ones, marking differences \
            ('-' recorded, '+' now). Redacted logins are replaced by a fresh PLAIN or LOGIN exchange with \
            --user and --password. Exit status: 0 same answers, 1 different answers, 64 usage errors (also \
            a redacted login without --user/--password), 69 replay impossible.
            """
    )

    @Argument(help: "The transcript file.")
    var file: String

    @Flag(name: .customLong("no-color"), help: "No colours, even on a terminal.")
    var noColor = false

    @Option(name: .customLong("replay"), help: "Replay against HOST:PORT (TCP, plaintext).")
    var replayAddress: String?

    @Option(name: .customLong("replay-exec"), help: "Replay against COMMAND run by /bin/sh, over its stdin/stdout.")
    var replayCommand: String?

    @Option(help: "User for a redacted login.")
    var user: String?

    @Option(help: "Password for a redacted login.")
    var password: String?

    @Option(help: "Seconds to wait for each server answer.")
    var timeout: Int = 10

    func validate() throws {
        if replayAddress != nil && replayCommand != nil {
            throw ValidationError("give only one of --replay and --replay-exec")
        }
    }

    func run() throws {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            Output.error("transcript: cannot read \(file)\n")
            throw ExitStatus.failure
        }
        let records = text.split(separator: "\n", omittingEmptySubsequences: true).compactMap {
            TranscriptRecord.parse($0)
        }
        guard !records.isEmpty else {
            Output.error("transcript: \(file) holds no transcript records\n")
            throw ExitStatus.failure
        }
        let palette = Palette(enabled: !noColor && isatty(1) == 1)
        if replayAddress == nil && replayCommand == nil {
            show(records, palette: palette)
            return
        }
        ProcessControl.ignoreSIGPIPE()
        var replay = Replay(
            records: records, palette: palette, user: user, password: password, timeoutMilliseconds: timeout * 1000)
        let channel: ReplayChannel
        do {
            if let replayAddress {
                channel = try ReplayChannel.connect(replayAddress)
            } else {
                channel = try ReplayChannel.spawn(replayCommand ?? "")
            }
        } catch {
            Output.error("transcript: \(error.message)\n")
            throw ExitStatus.unavailable
        }
        defer { channel.close() }
        do {
            let same = try replay.run(over: channel)
            if !same { throw ExitStatus.failure }
        } catch let error as ReplayError {
            Output.error("transcript: replay stopped: \(error.message)\n")
            throw error.isUsage ? ExitStatus.usage : ExitStatus.unavailable
        }
    }

    func show(_ records: [TranscriptRecord], palette: Palette) {
        let start = records[0].timeOfDay
        for record in records {
            let elapsed = (record.timeOfDay - start + 86_400_000) % 86_400_000
            let stamp = "+\(elapsed / 1000).\(String(1000 + elapsed % 1000).dropFirst())s"
            let line = "\(record.marker): \(record.text)"
            print(stamp.leftPadded(to: 9) + " " + palette.paint(line, for: record.source))
        }
    }
}
