// Human-readable texts for parser refusals, for NO/BYE responses and logs.

extension ProtocolError {
    /// A short sentence naming the problem; it never contains client bytes other than a printable command name.
    public var message: String {
        switch self {
        case .lineTooLong(let limit):
            "Command line too long (limit \(limit) octets)."
        case .unknownCommand:
            "Unknown command."
        case .emptyCommand:
            "Empty command."
        case .badArguments(let command, let reason):
            "Bad arguments for \(command): \(reason)."
        case .malformedLiteral:
            "Malformed literal."
        case .literalTooLarge(_, _, let limit):
            "Script too large (limit \(limit) octets)."
        case .stringTooLong(_, let limit):
            "String too long (limit \(limit) octets)."
        case .badQuotedString(let reason):
            "Bad quoted string: \(reason)."
        case .nulByte:
            "NUL octet in command."
        case .invalidUTF8:
            "Invalid UTF-8 in command."
        case .badNumber:
            "Bad number (expected 0 to 4294967295)."
        case .badSASLResponse:
            "Bad SASL response (expected a string or \"*\")."
        }
    }
}
