import { useSetRecoilState } from "recoil";
import { sideViewState } from "@chainlit/react-client";
import { Markdown } from "@/components/markdown";

// The evidence an answer cites (props: ui/render.py citations), one button each. A click opens
// that citation alone in the side panel, titled with its id; nothing opens by itself.
// Chainlit opens every display="side" element of a chat at once, stacked under the last one's
// name, after every answer and on every reload; so the panel is set here, on click, with one
// element: this file again, given `panel` (the citation to show) instead of the list.

function Panel({ citation }) {
  return (
    <div data-testid="citation-panel" data-evidence-id={citation.id}>
      <Markdown allowHtml={false} latex={false} renderMarkdown={true}>
        {citation.markdown}
      </Markdown>
    </div>
  );
}

export default function Citations() {
  const setSideView = useSetRecoilState(sideViewState);
  if (props.panel) return <Panel citation={props.panel} />;

  const open = (citation) =>
    setSideView({
      title: citation.id,
      elements: [
        {
          id: "citation-" + citation.id,
          type: "custom",
          name: "Citations",
          display: "side",
          forId: "",
          props: { panel: citation },
        },
      ],
    });

  return (
    <div data-testid="citations" style={{ display: "flex", flexWrap: "wrap", gap: 6 }}>
      <span className="text-muted-foreground text-xs" style={{ alignSelf: "center" }}>
        Sources
      </span>
      {(props.citations || []).map((citation) => (
        <button
          key={citation.id}
          type="button"
          data-testid="citation-link"
          data-evidence-id={citation.id}
          title={citation.label}
          onClick={() => open(citation)}
          className="cursor-pointer rounded-xl bg-muted px-1.5 text-[0.7rem] font-medium text-muted-foreground hover:bg-primary hover:text-primary-foreground"
        >
          {citation.id}
        </button>
      ))}
    </div>
  );
}
