// A command's training environment: what `recommend`, `evaluate`, `similar` and the benches train
// in (mode, seed, the model store under the output folder, progress on stderr).

import _WorkbookSupport
import Foundation
import Models
import Narrative

struct CommandEnvironment: TrainingEnvironment {
    let mode: RunMode
    let seed: UInt64
    let modelDirectory: URL
    let retrain: Bool
    let style = TerminalStyle.current()

    init(_ training: TrainingOptions, output: String, retrain: Bool = false) {
        mode = training.mode
        seed = training.seed
        modelDirectory = URL(fileURLWithPath: output).appendingPathComponent("models")
        self.retrain = retrain
    }

    var progress: ProgressFactory { ProgressBar.factory(style: style) }
    func log(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
}

/// `--set key=value` options as a dictionary, with a clear error for a malformed one.
func parseOverrides(_ settings: [String]) throws -> [String: String] {
    var out: [String: String] = [:]
    for s in settings {
        guard let eq = s.firstIndex(of: "="), eq != s.startIndex else {
            throw WorkbookError(cliWords("cli.set", ["setting": s]), fix: cliWords("cli.set.fix"))
        }
        out[String(s[..<eq])] = String(s[s.index(after: eq)...])
    }
    return out
}
