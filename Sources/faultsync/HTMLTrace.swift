import FaultSync
import Foundation

/// `faultsync trace --html OUT.html`: a self-contained page (no external resources) with one
/// lane per actor, the racing steps highlighted, and the model state at the violating step —
/// a picture of the interleaving to attach to a mail. Tested in headless Chromium by
/// scripts/test-html.
enum HTMLTrace {
    static func esc(_ s: String) -> String {
        var o = ""
        for c in s {
            switch c {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            default: o.append(c)
            }
        }
        return o
    }

    /// Step numbers a violation message names ("... at step 13 ..."): the racing steps.
    static func namedSteps(_ message: String) -> Set<Int> {
        var out = Set<Int>()
        let words = message.split(whereSeparator: { $0 == " " || $0 == "," || $0 == ";" || $0 == "(" || $0 == ")" })
        for (i, w) in words.enumerated() where w == "step" && i + 1 < words.count {
            if let n = Int(words[i + 1]) { out.insert(n) }
        }
        return out
    }

    static func page(bytes: [UInt8], file: String, variant: Variant, config: WorldConfig, kernel: String) -> String {
        let (verdict, raw) = Report.trace(bytes, variant: variant, config: config)
        let entries = Report.fold(raw)
        let (_, world) = Checker.finalWorld(bytes, variant: variant, config: config)
        var used = [Bool](repeating: false, count: actorNames.count)
        for e in entries where e.actor >= 0 && e.actor < used.count { used[e.actor] = true }
        let cols = used.indices.filter { used[$0] }
        let violating = verdict.violation.map { Int($0.step) }
        let racing = verdict.violation.map { namedSteps($0.message) } ?? []
        let title = "faultsync trace: \(file) under \(variant.name)"
        var h = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(esc(title))</title>
        <style>
        body { font: 13px/1.35 system-ui, sans-serif; margin: 1.5em; color: #222; }
        h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.5em; }
        .verdict { padding: .6em .8em; border-radius: 4px; background: #e8f5e9; }
        .verdict.bad { background: #fdecea; border-left: 4px solid #c62828; }
        table { border-collapse: collapse; margin-top: .8em; }
        th, td { border: 1px solid #ddd; padding: 2px 6px; vertical-align: top; }
        th { background: #f4f4f4; position: sticky; top: 0; }
        td.n { text-align: right; color: #888; font-variant-numeric: tabular-nums; }
        td.s b { font-family: ui-monospace, monospace; } td.s small { display: block; color: #555; }
        tr.event td, tr.note td { background: #f7f7fb; color: #444; font-style: italic; }
        tr.race td.s { background: #fff4c2; } tr.violation td { background: #ffd6d2; }
        td.hl { outline: 2px solid #5c6bc0; } small.dev { color: #b71c1c; font-style: italic; }
        .state { columns: 2 28em; } .state div { break-inside: avoid; margin-bottom: .8em; }
        code { background: #f4f4f4; padding: 1px 4px; }
        </style></head><body>
        <h1>\(esc(title))</h1>
        <p>Model of \(esc(KernelBaseline.description)); \(esc(kernel)).</p>

        """
        if let x = verdict.violation {
            h += "<div class=\"verdict bad\" id=\"verdict\"><b>VIOLATION \(esc(x.invariant.name)) (\(esc(x.invariant.label)))</b> at step \(x.step)<br>\(esc(x.message))</div>\n"
        } else {
            h += "<div class=\"verdict\" id=\"verdict\"><b>no violation</b> (\(verdict.events) events, \(verdict.steps) steps)</div>\n"
        }
        h += "<h2>Interleaving</h2>\n<p>One column per actor. Highlighted: the steps the violation names (yellow) and the violating step (red); in red italics, where the variant acts and what the correct kernel would have done. Hover a step to see its actor's other steps.</p>\n"
        h += "<table id=\"lanes\"><thead><tr><th>step</th>" + cols.map { "<th>\(esc(actorNames[$0]))</th>" }.joined() + "</tr></thead><tbody>\n"
        let span = cols.count + 1
        for e in entries {
            if e.actor == Report.foldMarker {
                h += "<tr class=\"note\"><td colspan=\"\(span)\">… \(esc(e.what))</td></tr>\n"
            } else if e.actor < 0 && e.label == "drain" {
                h += "<tr class=\"note\"><td colspan=\"\(span)\">end of schedule: the unfinished actors run round-robin</td></tr>\n"
            } else if e.actor < 0 {
                h += "<tr class=\"event\"><td colspan=\"\(span)\">event #\(e.event): \(esc(e.what))\(e.effect.isEmpty || e.effect == "started" ? "" : " (\(esc(e.effect)))")</td></tr>\n"
            } else {
                var cls = "step"
                if racing.contains(e.step) { cls += " race" }
                if violating == e.step { cls += " violation" }
                h += "<tr class=\"\(cls)\" data-step=\"\(e.step)\"><td class=\"n\">\(e.step)</td>"
                for c in cols {
                    if c == e.actor {
                        h += "<td class=\"s\" data-actor=\"\(esc(actorNames[c]))\"><b>\(esc(e.label))</b> \(esc(e.what))<small>\(esc(e.effect))</small>"
                            + (e.deviation.isEmpty ? "" : "<small class=\"dev\">\(esc(e.deviation))</small>") + "</td>"
                    } else {
                        h += "<td></td>"
                    }
                }
                h += "</tr>\n"
            }
        }
        h += "</tbody></table>\n"
        h += "<h2>State \(verdict.violation != nil ? "at the violating step" : "at the end")</h2>\n<div class=\"state\">\n"
        for (t, lines) in world.summary {
            h += "<div><b>\(esc(t))</b><ul>" + lines.map { "<li>\(esc($0))</li>" }.joined() + "</ul></div>\n"
        }
        h += "</div>\n<p>Replay: <code>faultsync trace \(esc(file)) --variant \(esc(variant.name))\(esc(config.worldFlags))</code></p>\n"
        h += """
        <script>
        (function () {
          var rows = document.querySelectorAll('#lanes tr.step');
          document.querySelectorAll('#lanes td.s').forEach(function (td) {
            td.addEventListener('mouseenter', function () {
              document.querySelectorAll('#lanes td.s[data-actor="' + td.dataset.actor + '"]').forEach(function (x) { x.classList.add('hl'); });
            });
            td.addEventListener('mouseleave', function () {
              document.querySelectorAll('#lanes td.hl').forEach(function (x) { x.classList.remove('hl'); });
            });
          });
          document.body.setAttribute('data-steps-shown', String(rows.length));
        })();
        </script>
        </body></html>

        """
        return h
    }
}
