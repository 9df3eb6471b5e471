import Gateway

/// The arena's two web pages: plain HTML, CSS and JavaScript, no build step, nothing from a CDN.
enum ArenaPages {
    static let style = """
        <style>
          :root { font-family: system-ui, sans-serif; color: #1d2330; background: #f6f7fb; }
          body { margin: 0 auto; max-width: 1100px; padding: 24px; }
          header { display: flex; justify-content: space-between; align-items: baseline; }
          h1 { font-size: 1.5rem; margin: 0 0 16px; }
          nav a { margin-left: 16px; color: #3451b2; }
          .sides { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
          .side { background: #fff; border: 1px solid #d8dbe5; border-radius: 8px; padding: 12px; min-height: 220px; }
          .side h2 { font-size: 1rem; margin: 0 0 8px; color: #555; }
          .answer { white-space: pre-wrap; line-height: 1.45; }
          .error { color: #b3261e; }
          textarea { width: 100%; box-sizing: border-box; min-height: 70px; font: inherit; padding: 8px; }
          .controls, .votes { display: flex; gap: 8px; margin: 12px 0; flex-wrap: wrap; }
          button { font: inherit; padding: 8px 14px; border-radius: 6px; border: 1px solid #9aa3b8; background: #fff; cursor: pointer; }
          button.primary { background: #3451b2; color: #fff; border-color: #3451b2; }
          button:disabled { opacity: 0.45; cursor: default; }
          #status { color: #555; min-height: 1.4em; }
          table { border-collapse: collapse; width: 100%; background: #fff; }
          th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid #e3e5ec; }
          th { background: #eef0f6; }
          td.number { text-align: right; font-variant-numeric: tabular-nums; }
        </style>
        """

    static let arena = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Switchyard Arena</title>
        \(style)
        </head><body>
        <header><h1>Switchyard Arena</h1><nav><a href="/leaderboard">Leaderboard</a></nav></header>
        <p>Two anonymous models answer the same prompt. Vote for the better answer to see who they were.</p>
        <div class="sides">
          <section class="side"><h2 id="name-a">Model A</h2><div class="answer" id="answer-a"></div></section>
          <section class="side"><h2 id="name-b">Model B</h2><div class="answer" id="answer-b"></div></section>
        </div>
        <div class="votes">
          <button id="vote-a" disabled>A is better</button>
          <button id="vote-b" disabled>B is better</button>
          <button id="vote-tie" disabled>Tie</button>
          <button id="vote-bothbad" disabled>Both are bad</button>
        </div>
        <textarea id="prompt" placeholder="Ask both models something…"></textarea>
        <div class="controls">
          <button id="send" class="primary">Send</button>
          <button id="new-battle">New battle</button>
        </div>
        <div id="status"></div>
        <script>
        \(DashboardPage.apiKeyScript)
        let battleID = null;
        let voted = false;
        const $ = (id) => document.getElementById(id);
        function setVoting(enabled) {
          for (const side of ["a", "b", "tie", "bothbad"]) $("vote-" + side).disabled = !enabled;
        }
        function reset() {
          battleID = null; voted = false;
          for (const side of ["a", "b"]) { $("answer-" + side).textContent = ""; $("name-" + side).textContent = "Model " + side.toUpperCase(); }
          $("status").textContent = ""; setVoting(false); $("send").disabled = false;
        }
        async function send() {
          const text = $("prompt").value.trim();
          if (!text || voted) return;
          $("prompt").value = "";
          $("send").disabled = true; setVoting(false);
          for (const side of ["a", "b"]) {
            const pane = $("answer-" + side);
            pane.textContent += (pane.textContent ? "\\n\\n" : "") + "You: " + text + "\\nModel: ";
          }
          $("status").textContent = "Both models are answering…";
          const body = { messages: [{ role: "user", content: text }] };
          if (battleID) body.battle_id = battleID;
          try {
            const response = await authorizedFetch("/arena/battles", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
            if (!response.ok) {
              const failure = await response.json().catch(() => ({}));
              throw new Error((failure.error && failure.error.message) || ("HTTP " + response.status));
            }
            const reader = response.body.getReader();
            const decoder = new TextDecoder();
            let pending = "";
            for (;;) {
              const { value, done } = await reader.read();
              if (done) break;
              pending += decoder.decode(value, { stream: true });
              let cut;
              while ((cut = pending.indexOf("\\n\\n")) >= 0) {
                const block = pending.slice(0, cut); pending = pending.slice(cut + 2);
                const data = block.split("\\n").filter((line) => line.startsWith("data:")).map((line) => line.slice(5).trim()).join("\\n");
                if (!data || data === "[DONE]") continue;
                const event = JSON.parse(data);
                if (event.type === "battle") battleID = event.battle_id;
                if (event.type === "delta") $("answer-" + event.side).textContent += event.content;
                if (event.type === "error") {
                  const note = document.createElement("div"); note.className = "error";
                  note.textContent = "Error: " + event.error.message; $("answer-" + event.side).appendChild(note);
                }
              }
            }
            $("status").textContent = "Which answer is better?";
            setVoting(true);
          } catch (error) {
            $("status").textContent = "Error: " + error.message;
          }
          $("send").disabled = false;
        }
        async function vote(winner) {
          if (!battleID || voted) return;
          setVoting(false);
          const response = await authorizedFetch("/arena/battles/" + battleID + "/vote", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ winner }) });
          const result = await response.json();
          if (!response.ok) { $("status").textContent = "Error: " + result.error.message; return; }
          voted = true;
          $("name-a").textContent = "Model A: " + result.model_a;
          $("name-b").textContent = "Model B: " + result.model_b;
          $("status").textContent = "Thanks for voting! Start a new battle to continue.";
          $("send").disabled = true;
        }
        $("send").addEventListener("click", send);
        $("new-battle").addEventListener("click", reset);
        $("prompt").addEventListener("keydown", (event) => { if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); send(); } });
        for (const side of ["a", "b", "tie", "bothbad"]) $("vote-" + side).addEventListener("click", () => vote(side));
        </script>
        </body></html>
        """

    static let leaderboard = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Switchyard Leaderboard</title>
        \(style)
        </head><body>
        <header><h1>Leaderboard</h1><nav><a href="/arena">Arena</a></nav></header>
        <div class="controls">
          <label><input type="checkbox" id="style-control"> Style control (length and markdown held equal)</label>
          <label>Votes <select id="votes"><option value="all">all</option><option value="human">human</option><option value="judge">LLM judge</option></select></label>
        </div>
        <p id="summary">Loading…</p>
        <table>
          <thead><tr><th>Rank</th><th>Model</th><th>Rating</th><th>95% CI</th><th>Battles</th><th>Online Elo</th></tr></thead>
          <tbody id="rows"></tbody>
        </table>
        <p id="notes"></p>
        <script>
        \(DashboardPage.apiKeyScript)
        async function load() {
          const query = new URLSearchParams({ votes: document.getElementById("votes").value, style_control: document.getElementById("style-control").checked });
          const response = await authorizedFetch("/arena/leaderboard?" + query);
          const board = await response.json();
          if (!response.ok) { document.getElementById("summary").textContent = "Error: " + board.error.message; return; }
          const rows = document.getElementById("rows");
          rows.innerHTML = "";
          for (const row of board.rows) {
            const tr = document.createElement("tr");
            const cells = [row.rank, row.model, Math.round(row.rating),
              "+" + Math.round(row.rating_q975 - row.rating) + " / −" + Math.round(row.rating - row.rating_q025),
              row.num_battles, Math.round(row.elo_rating_online)];
            cells.forEach((value, index) => {
              const td = document.createElement("td");
              td.textContent = value;
              if (index !== 1) td.className = "number";
              tr.appendChild(td);
            });
            rows.appendChild(tr);
          }
          document.getElementById("summary").textContent =
            board.rows.length + " models, " + board.battles + " votes; Bradley–Terry ratings with " + board.bootstrap_rounds + " bootstrap rounds for the 95% intervals.";
          const notes = [];
          const style = board.style_control;
          if (style && style.applied) {
            notes.push("Style controlled: " + style.coefficients.map((c) => c.feature + " " + c.coefficient.toFixed(3) + " [" + c.coefficient_q025.toFixed(3) + ", " + c.coefficient_q975.toFixed(3) + "]").join(", ") + " (log-odds per standard deviation)" +
              (style.battles_without_style ? "; " + style.battles_without_style + " votes without style left out." : "."));
          } else if (style) {
            notes.push("No vote records the answers' style: these are the plain ratings.");
          }
          for (const a of board.agreement || []) {
            const rate = (r) => r.rate === undefined ? "n/a" : Math.round(r.rate * 100) + "% (" + r.agree + "/" + r.total + ")";
            notes.push(a.judge + " agrees with humans on " + a.pairs + " pairs: " + rate(a.with_ties) + " with ties, " + rate(a.without_ties) + " without.");
          }
          document.getElementById("notes").textContent = notes.join(" ");
        }
        document.getElementById("style-control").addEventListener("change", load);
        document.getElementById("votes").addEventListener("change", load);
        load();
        </script>
        </body></html>
        """
}
