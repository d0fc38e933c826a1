// "Svarte dette på spørsmålet?" on a result and "Burde Veiviser ha funnet noe?" on an abstention:
// POST /api/feedback (docs/feedback.md). The query text is sent for the server's keyed hash and is
// stored (redacted) only when the user ticks "Del spørsmålet".

import { el, postJson, uniqueId } from "./dom.js";

const QUESTIONS = {
  result: "Svarte dette på spørsmålet?",
  abstention: "Burde Veiviser ha funnet noe?",
};

function failureText(error) {
  const prefix = "Kunne ikke lagre tilbakemeldingen";
  if (error.status === 429) return `${prefix}: for mange tilbakemeldinger på kort tid. ${error.detail}`.trim();
  if (error.status >= 400 && error.status < 500 && error.detail) return `${prefix}: ${error.detail}`;
  return `${prefix}. Prøv igjen senere.`;
}

/**
 * The feedback controls. `kind` is "result" or "abstention"; `context` holds query, filters and,
 * for a result, passageId and rank (1-based, as shown).
 */
export function feedbackBox(kind, context) {
  const legendId = uniqueId("tilbakemelding");
  const shareId = uniqueId("del");
  const box = el("div", { class: "feedback", role: "group", "aria-labelledby": legendId });
  const share = el("input", { type: "checkbox", id: shareId, class: "share-query" });
  const status = el("p", { class: "feedback-status", role: "status", "aria-live": "polite" });
  const buttons = ["yes", "no"].map((verdict) => el("button", {
    type: "button", class: "secondary feedback-button", "data-verdict": verdict, "aria-pressed": "false",
  }, verdict === "yes" ? "Ja" : "Nei"));
  let sending = false;
  let sent = false;

  async function send(verdict, button) {
    if (sending || sent) return;
    sending = true;
    status.className = "feedback-status";
    status.textContent = "Sender …";
    const body = { kind, verdict, query: context.query, share_query: share.checked, filters: context.filters };
    if (kind === "result") Object.assign(body, { passage_id: context.passageId, rank: context.rank });
    try {
      await postJson("/api/feedback", body);
      sent = true;
      button.setAttribute("aria-pressed", "true");
      for (const b of buttons) b.setAttribute("aria-disabled", "true");
      share.disabled = true;
      status.textContent = "Takk for tilbakemeldingen.";
      box.dataset.sent = verdict;
    } catch (error) {
      status.className = "feedback-status error";
      status.textContent = failureText(error);
    } finally {
      sending = false;
    }
  }

  for (const button of buttons) button.addEventListener("click", () => send(button.dataset.verdict, button));
  box.append(
    el("span", { class: "feedback-question", id: legendId, text: QUESTIONS[kind] }),
    el("span", { class: "share" }, share, el("label", { for: shareId, text: " Del spørsmålet (uten pasientopplysninger)" })),
    el("span", { class: "feedback-buttons" }, ...buttons),
    status);
  return box;
}
