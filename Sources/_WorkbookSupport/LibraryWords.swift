import Foundation

// The words the libraries under the narrative say, in the run's language: the models' settings
// ("hidden 500, λ = 1, Adam lr 0.002, batch 256, at most 300 epochs, early stopping (patience 5 x 2)")
// and what validation chose ("best epoch 37 of 57"), as the tables of chapters 4, 6 and 8 show them;
// the model store's lines and errors ("its code has changed since its file was saved, so it is
// trained again"); a paired bootstrap's verdict ("A − B: Recall@20 +0.0123 [+0.0040, +0.0210], an
// interval that excludes 0: ..."); loading and fetching MovieLens, and what is wrong with a damaged file.
//
// The English templates below are the reference, kept in Swift beside the models that use them
// (as an exercise's English is kept beside its check): a model file or a command outside a chapter
// run needs no text files. Another edition translates each id as a block of
// Sources/Narrative/text/<language>.txt, with the same {{placeholders}} (TextTests checks it), and
// a chapter run of that edition (or the command line, for its language) sets `current`.

public enum LibraryWords {
    /// Every phrase, by id, in English.
    public static let english: [String: String] = modelAndDataWords.merging(fileWords) { first, _ in first }

    private static let modelAndDataWords: [String: String] = [
        "settings.training.fixed": "{{epochs}} epochs",
        "settings.training.early": "at most {{epochs}} epochs, early stopping (patience {{patience}} x {{every}})",
        "settings.adam": "Adam lr {{lr}}, batch {{batch}}",
        "settings.autorec": "{{direction}}, hidden {{hidden}}, λ = {{lambda}}, {{adam}}, {{training}}",
        "settings.autorec.item": "item-based",
        "settings.autorec.user": "user-based",
        "settings.vae": "{{shape}}, dropout {{dropout}}, {{prior}}, {{adam}}, {{training}}",
        "settings.vae.annealed": "β annealed to {{beta}}",
        "settings.vae.annealed-over": "β annealed to {{beta}} over {{steps}} steps",
        "settings.vae.no-kl": "no KL",
        "settings.cdae": "hidden {{hidden}}, q = {{corruption}}, {{adam}}, {{training}}",
        "settings.cdae.rescaled": "{{corruption}} (rescaled)",
        "settings.ncf": "f = {{f}}, {{layers}} layers ({{pyramid}}), {{negatives}} negatives, {{adam}}, {{training}}",
        "settings.ncf.l2": "{{lr}} (L2 {{decay}})",
        "settings.ncf.dropout": "{{pyramid}}, dropout {{p}}",
        "settings.graph": "d = {{d}}, {{layers}} layers, BPR, L2 {{l2}}, {{adam}}, {{training}}",
        "settings.biased-mf": "k = {{k}}, L2 {{l2}}, {{adam}}, {{training}}",
        "settings.itemknn": "cosine, shrinkage {{shrinkage}}, k = {{k}}",
        "settings.most-popular": "training counts",
        "settings.random": "uniform scores",
        "settings.sgns":
            "d = {{d}}, window {{window}}, {{negatives}} negatives, {{epochs}} epochs, min_count {{count}}, "
            + "sample {{sample}}, lr {{lr}} -> {{last}}, {{threads}}",
        "settings.sgns.window": "{{window}} (dynamic)",
        "settings.sgns.whole-session": "whole session",
        "settings.sgns.thread": "1 thread",
        "settings.sgns.threads": "{{count}} threads",
        "settings.best-epoch": "best epoch {{best}} of {{epochs}}",
        "settings.best-epoch.early": "best epoch {{best}} of {{epochs}} (stopped early)",

        "settings.error.refused": "{{model}}'s settings do not accept {{given}}",
        "settings.error.refused.fix":
            "give each setting a value of its kind (a number, true/false, or a list like [1,2])",
        "settings.error.unknown": "{{model}} has no setting '{{key}}'",
        "settings.error.choose": "choose one of {{choices}}",
        "settings.error.no-field": "{{model}}'s setting '{{setting}}' has no field '{{field}}'",
        "settings.error.no-field.fix": "set '{{setting}}' itself",
        "settings.error.unknown-model": "unknown model '{{name}}'",
        "settings.error.range": "{{model}}'s {{setting}} must be {{rule}}, not {{value}}",
        "settings.error.range.fix": "set {{setting}} to a value in that range",
        "settings.rule.at-least": "at least {{min}}",
        "settings.rule.positive": "a number above 0",
        "settings.rule.non-negative": "a number of 0 or more",
        "settings.rule.fraction": "at least 0 and below 1",

        "store.retraining": "{{model}}: {{reason}}, so it is trained again",
        "store.stale.data": "its file was trained on other data",
        "store.stale.settings": "its settings have changed since its file was saved",
        "store.stale.code": "its code has changed since its file was saved",
        "store.fix.delete": "delete {{path}} (or pass --retrain) to train the model again",
        "store.fix.delete-it": "delete it (or pass --retrain) to train the model again",
        "store.unreadable": "cannot read the model file {{path}}",
        "store.fix.readable": "check that it exists and is readable",
        "store.not-a-model": "{{path}} is not a workbook model file (its first line is not '{{magic}}')",
        "store.bad-header": "{{path}} is corrupt: its header is not valid JSON",
        "store.bad-shapes": "{{path}} is corrupt: its header declares tensor shapes no file can hold ({{shapes}})",
        "store.bad-size":
            "{{path}} is corrupt: it holds {{bytes}} bytes of values where its header promises {{expected}}",
        "store.bad-checksum": "{{path}} is corrupt: its values do not match the checksum in its header",
        "store.other-model": "{{path}} holds a {{found}} model, not {{model}}",
        "store.does-not-fit": "{{path}} does not fit the {{model}} model ({{error}})",

        "compare.ahead":
            "{{a}} − {{b}}: {{metric}} {{numbers}}, an interval that excludes 0: on these users {{winner}} is ahead",
        "compare.tied":
            "{{a}} − {{b}}: {{metric}} {{numbers}}, an interval that includes 0: the two cannot be told apart on "
            + "this data",

        "protocol.loo-99": "leave-one-out (latest interaction), ranked among 99 sampled unobserved items",
        "protocol.holdout-20": "per-user random 20% test, full ranking with training items excluded",
        "protocol.ratings-90-10": "random 90/10 of the ratings, rating prediction",
        "protocol.ratings-80-20": "random 80/20 of the ratings, rating prediction",
        "protocol.temporal-80-20": "the latest 20% of all interactions as test",

        "loading.place": "{{file}}, line {{line}}",
        "loading.duplicate-policy": "a pair rated more than once keeps its last rating in file order",
        "loading.empty": "is empty",
        "loading.not-text": "is not text",
        "loading.unreadable": "cannot be read",
        "loading.fix.readable": "check that it exists and is readable",
        "loading.fix.fetch-again": "fetch the data again with `workbook data fetch`",
        "loading.fix.line": "fix or remove the line, or load with --skip-bad-lines",
        "loading.fields": "expected {{needed}} fields separated by '{{separator}}', found {{count}}",
        "loading.negative": "{{what}} {{value}} is negative (ids are integers from 0)",
        "loading.overflow": "{{what}} {{value}} does not fit in 64 bits",
        "loading.not-a-number": "{{what}} {{value}} is not a number",
        "loading.not-a-number.header": "{{what}} {{value}} is not a number (a header line in the wrong place?)",
        "loading.field.user": "user id",
        "loading.field.item": "item id",
        "loading.field.rating": "rating",
        "loading.field.timestamp": "timestamp",
        "loading.scale": "rating {{value}} is outside the scale of {{layout}} ({{scale}})",
        "loading.scale.integers": "integers {{low}} to {{high}}",
        "loading.scale.steps": "{{low}} to {{high}} in steps of {{step}}",
        "loading.time": "timestamp {{value}} is not a time between the years 1 and 9999 (seconds since 1970)",
        "loading.header-only": "has a header but no ratings",
        "loading.no-ratings": "has no ratings",
        "loading.no-column": "the header has no {{column}} column (it is: {{names}})",
        "loading.fix.inter": "a RecBole .inter file needs user_id, item_id, rating and timestamp columns",
        "loading.csv-header": "expected the header userId,movieId,rating,timestamp, found {{found}}",
        "loading.fix.csv": "this does not look like a MovieLens ratings.csv",
        "loading.item-line": "expected id|title|release date|...|genre flags",
        "loading.item-header": "the header needs item_id and a title column",
        "loading.item-fields": "expected {{count}} tab-separated fields with a numeric item id",
        "loading.movies-dat": "expected MovieID::Title::Genres",
        "loading.movies-csv": "expected movieId,title,genres",
        "loading.unclosed-quote": "a quoted field is not closed",
        "loading.no-ratings-file":
            "no MovieLens ratings file here (looked for u.data, *.inter, ratings.dat, ratings.csv)",
        "loading.fix.no-ratings-file":
            "run `workbook data fetch`, or point --data-dir at the folder that holds the files",

        "fetch.trying": "trying the GroupLens zip ({{url}})...",
        "fetch.unreachable": "not reachable ({{error}}); trying the RecBole 1.2.1 wheel through pip...",
        "fetch.verified": "wheel verified (SHA-256 {{digest}}...)",
        "fetch.absent": "MovieLens-100K is not in {{path}}",
        "fetch.absent.fix": "run `workbook data fetch`",
        "fetch.unfetchable": "MovieLens-100K is not in {{path}} and could not be fetched ({{error}})",
        "fetch.unfetchable.fix": "run `workbook data fetch --from ml-100k.zip` with a copy you have",
    ]

    /// The phrase `id` with its placeholders filled, in the run's language.
    public static func say(_ id: String, _ values: [String: any CustomStringConvertible] = [:]) -> String {
        let strings = values.mapValues { $0.description }
        if !englishOnly, let translate = current, let words = translate(id, strings) { return words }
        return fill(english[id] ?? "{{\(id)}}", strings)
    }

    /// Fills each `{{name}}` of `template` in one left-to-right pass (a value is never scanned again,
    /// so a value that itself contains "{{x}}" reads the same on every run); a name without a value
    /// stays visible. Every template of the book is filled by this (Text's blocks, exercises' phrases).
    public static func fill(_ template: String, _ values: [String: String]) -> String {
        var out = "", rest = template[...]
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            let name = String(rest[open.upperBound..<close.lowerBound])
            out += rest[..<open.lowerBound]
            out += values[name] ?? "{{\(name)}}"
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    /// Runs `body` with English words whatever the edition: what programs read (results.json,
    /// a model file's header, `--json` output) and the English command-line sentences.
    public static func inEnglish<T>(_ body: () throws -> T) rethrows -> T {
        try $englishOnly.withValue(true) { try body() }
    }
    @TaskLocal private static var englishOnly = false

    /// Another edition's words (nil: English); returns nil for an id it does not translate.
    public typealias Translation = @Sendable (_ id: String, _ values: [String: String]) -> String?

    private static let lock = NSLock()
    nonisolated(unsafe) private static var chosen: Translation?
    /// The translation in use (one language per process: the chapter run's).
    public static var current: Translation? {
        get { lock.withLock { chosen } }
        set { lock.withLock { chosen = newValue } }
    }
}
