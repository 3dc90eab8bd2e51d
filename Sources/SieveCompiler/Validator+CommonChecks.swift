// The checks every command with comparators, match types or an index shares.

extension Validator {
    func checkCommon(_ use: CommandUse) {
        // Without tags only the MIME check can apply (the rest is about tags).
        if use.tagArgumentCount == 0 {
            if use.definition.features.contains(.mimeHeader), hasMime { Mime.check(use, self) }
            return
        }
        let kindText: DiagnosticKind.CommandKind = use.definition.kind == .command ? .command : .test
        // Matching the arguments found where the tags these checks read are.
        let base = use.argumentBase
        let comparatorAt = Int(use.common.comparator)
        let matchTypeAt = Int(use.common.matchType)
        let matchType = use.common.matchTypeID
        let indexAt = Int(use.common.index)
        let lastAt = Int(use.common.last)
        // The default comparator is i;ascii-casemap; the name is compared only when one is given.
        var comparator = "i;ascii-casemap"
        var comparatorGiven = false
        if comparatorAt >= 0, storage.arguments[base + comparatorAt + 1].kind == .string {
            let s = storage.literal(Int(storage.arguments[base + comparatorAt + 1].first))
            comparatorGiven = true
            comparator = s.text.lowercased()
            if !knownComparators.contains(comparator) {
                error(.unknownComparator(comparator), at: s)
                return
            }
        }
        if matchTypeAt >= 0 {
            let matchTypeRecord = storage.arguments[base + matchTypeAt]
            if comparatorGiven, comparator == "i;ascii-numeric",
                matchType == KnownName.contains || matchType == KnownName.matches
            {
                error(
                    .comparatorNoSubstring(comparator: comparator, matchType: storage.names.name(matchType)),
                    at: matchTypeRecord)
                return
            }
            if matchType == KnownName.regex, comparatorGiven, comparator != "i;octet", comparator != "i;ascii-casemap" {
                error(.regexComparator, at: matchTypeRecord)
                return
            }
            if matchType == KnownName.value || matchType == KnownName.count, use.common.matchTypeHasParameter,
                storage.arguments[base + matchTypeAt + 1].kind == .string
            {
                let name = storage.names.name(matchType)
                let s = storage.literal(Int(storage.arguments[base + matchTypeAt + 1].first))
                let ops = ["gt", "ge", "lt", "le", "eq", "ne"]
                if !ops.contains(s.text) || !isConstant(s) {
                    error(.relationalOperator(matchType: name, found: s.text), at: s)
                    return
                }
            }
            // The key list is the last positional argument of a matching test.
            if matchType == KnownName.regex || matchType == KnownName.matches,
                use.positionalCount == use.definition.maxPositional, use.positionalCount > 0
            {
                let keys = use.strings(ofPositional: use.positionalCount - 1)
                if matchType == KnownName.regex {
                    for key in keys where isConstant(key) {
                        let pattern = key.text
                        // Refused before regcomp sees it: expanding it could take seconds and gigabytes.
                        let bytes = key.bytes
                        let size = RegexRisk.expandedSize(bytes)
                        if size > RegexRisk.maxExpandedSize {
                            error(.regexTooComplex(pattern, size: size, limit: RegexRisk.maxExpandedSize), at: key)
                            return
                        }
                        // Many patterns just under the limit must not add up to minutes of regcomp.
                        regexWork += size
                        if regexWork > RegexRisk.maxTotalExpandedSize {
                            error(.regexesTooComplex(limit: RegexRisk.maxTotalExpandedSize), at: key)
                            return
                        }
                        // Nested bounded repetitions (`a{0,16000}`) cost regcomp far more than their expanded size.
                        let cost = RegexRisk.compileCost(bytes).estimatedBytes
                        if cost > RegexRisk.maxCompileBytes {
                            error(.regexTooCostly(pattern, bytes: cost, limit: RegexRisk.maxCompileBytes), at: key)
                            return
                        }
                        regexCompileWork = RegexCost.add(regexCompileWork, cost)
                        if regexCompileWork > RegexRisk.maxTotalCompileBytes {
                            error(.regexesTooCostly(limit: RegexRisk.maxTotalCompileBytes), at: key)
                            return
                        }
                        if let checker = options.regexChecker, !RegexSyntax.isKnownValid(pattern),
                            let problem = checker(pattern, comparator == "i;ascii-casemap")
                        {
                            error(.invalidRegex(pattern, reason: problem), at: key)
                            return
                        }
                        if RegexRisk.isCatastrophic(bytes) { warning(.regexBacktracking(pattern), at: key) }
                    }
                } else if matchType == KnownName.matches {
                    for key in keys where key.withBytes(RegexRisk.hasManyStars) {
                        warning(.matchesManyWildcards(key.text), at: key)
                    }
                }
            }
        }
        if use.definition.features.contains(.headerIndex), indexAt >= 0,
            storage.arguments[base + indexAt + 1].kind == .number,
            storage.numbers[Int(storage.arguments[base + indexAt + 1].first)] == 0
        {
            error(.indexZero(command: "\(use.definition.name) \(kindText)"), at: storage.arguments[base + indexAt + 1])
        }
        if use.definition.features.contains(.headerIndex), lastAt >= 0, indexAt < 0 {
            error(.lastWithoutIndex(command: use.definition.name), at: storage.arguments[base + lastAt])
        }
        if use.definition.features.contains(.mimeHeader), hasMime { Mime.check(use, self) }
        _ = kindText
    }
}
