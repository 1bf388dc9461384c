import { useEffect } from "react";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";

// The signal of an answer as the signal tool computed it (props: ui/render.py signal_card).
// Once on screen it says so (props.shown: the action to call and the card's id), and the
// server streams the answer's text under it only then (ui/turns.py), so the text never moves.
// Colours are inline: custom elements only get the Tailwind classes Chainlit's build has.
const COLOURS = {
  "STRONG BUY": "#1a7f37",
  BUY: "#4ac26b",
  HOLD: "#8c959f",
  SELL: "#e5534b",
  "STRONG SELL": "#a40e26",
};

function pct(x, digits) {
  return x === null || x === undefined ? "n/a" : (x * 100).toFixed(digits) + "%";
}

function Figure({ label, value, testid }) {
  return (
    <div style={{ flex: 1 }}>
      <div className="text-muted-foreground text-xs">{label}</div>
      <div data-testid={testid} style={{ fontSize: "1.15rem", fontWeight: 600 }}>
        {value}
      </div>
    </div>
  );
}

function Part({ part, colour }) {
  const width = part.score === null ? 0 : Math.round(part.score * 100);
  return (
    <div style={{ marginTop: 8 }}>
      <div style={{ display: "flex", justifyContent: "space-between" }}>
        <span style={{ textTransform: "capitalize" }}>{part.name}</span>
        <span className="text-muted-foreground">
          {part.score === null ? "absent" : part.score.toFixed(3)} · weight {pct(part.weight, 0)}
        </span>
      </div>
      <div style={{ height: 6, borderRadius: 3, background: "rgba(140,149,159,0.25)" }}>
        <div style={{ width: width + "%", height: 6, borderRadius: 3, background: colour }} />
      </div>
      {part.score === null && part.reason ? (
        <div className="text-muted-foreground text-xs" style={{ marginTop: 2 }}>
          {part.reason}
        </div>
      ) : null}
    </div>
  );
}

export default function SignalCard() {
  useEffect(() => {
    if (props.shown) {
      Promise.resolve(
        callAction({ name: props.shown.action, payload: { card: props.shown.card } })
      ).catch(() => undefined);
    }
  }, []);
  const colour = COLOURS[props.action] || "#8c959f";
  return (
    <Card data-testid="signal-card" className="w-full my-2" style={{ maxWidth: 640 }}>
      <CardHeader className="pb-2">
        <CardTitle style={{ display: "flex", alignItems: "center", gap: 12 }}>
          <span style={{ fontSize: "1.25rem" }}>{props.ticker}</span>
          <span
            data-testid="signal-action"
            style={{
              background: colour,
              color: "white",
              borderRadius: 6,
              padding: "2px 10px",
              fontSize: "0.95rem",
              fontWeight: 700,
            }}
          >
            {props.action}
          </span>
          <span className="text-muted-foreground text-sm" style={{ fontWeight: 400 }}>
            as of {props.as_of}
            {props.regime ? " · regime " + props.regime : ""}
          </span>
        </CardTitle>
      </CardHeader>
      <CardContent className="text-sm">
        <div style={{ display: "flex", gap: 16 }}>
          <Figure label="score" value={props.score.toFixed(3)} testid="signal-score" />
          <Figure label="confidence" value={pct(props.confidence, 1)} testid="signal-confidence" />
          <Figure label="position size" value={pct(props.position_size, 2)} testid="signal-size" />
        </div>
        {(props.components || []).map((part) => (
          <Part key={part.name} part={part} colour={colour} />
        ))}
        <div className="text-muted-foreground text-xs" style={{ marginTop: 10 }}>
          {props.evidence_id} · research, not investment advice
        </div>
      </CardContent>
    </Card>
  );
}
