// Numbers in config summaries: as short as they can be read ("10", "0.001", "1e-05").

import Foundation

func short(_ x: Float) -> String { short(Double(x)) }

func short(_ x: Double) -> String { String(format: "%g", x) }
