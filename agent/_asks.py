"""What a question asks (agent.request.Ask), by rules, with the verdict and metric it implies.

Rules are ordered: the first that matches wins. Each is *sure* or *weak*; a weak match ("how
much", "how is it doing", "buy") is one the MiniLM exemplar classifier may overrule, and a
question no rule matches goes to the classifier alone. Numbers, dates, levels and tickers are
never the classifier's: they stay with the rules (agent._periods, agent._dates, agent._tickers).
"""

from __future__ import annotations

import re
from typing import Literal, NamedTuple

from agent._grammar import FLAGS, FORM_K
from agent._periods import confidence_level, find_period, horizon_days
from agent.request import Ask, Verdict


class RuleAsk(NamedTuple):
    ask: Ask
    sure: bool


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, FLAGS)


# fmt: off
EXACT_PRICE = _rx(
    r"\bprice\s+target|\btarget\s+price|\bwhat\s+will\s+(?:the\s+)?(?:\S+\s+){0,3}(?:price|close|"
    r"closing\s+price|share\s+price|stock\s+price)\s+be\b|\bwhere\s+(?:exactly\s+)?will\s+(?:\S+\s+){0,3}"
    r"(?:close|trade|be\s+trading|end|finish)\b|\bwhat\s+will\s+(?:\w+\s+){0,3}(?:close|trade|be\s+"
    r"worth)\s+at\b|\bhow\s+(?:high|low)\s+will\b|\bpredict\s+(?:the\s+)?(?:exact\s+)?(?:\S+\s+){0,2}"
    r"(?:price|close)|\bexact\s+(?:future\s+)?price|\bwhat\s+(?:price|level)\s+will\b"
    r"|\b(?:will|gonna|going\s+to)\s+(?:\S+\s+){0,3}be\s+worth\b|\bwill\s+(?:\w+\s+){0,3}(?:hit|reach)\s+\$?\d")
WHAT_TO_BUY = _rx(
    r"\b(?:what|which)\s+(?:stocks?|shares?|companies|company|ticker|one)?\s*(?:should|do|would|"
    r"can)\s+(?:i|you|we)\s+(?:buy|pick|invest\s+in|recommend|get)\b|\btell\s+me\s+(?:exactly\s+)?"
    r"what\s+to\s+buy|\bwhat\s+to\s+buy\b|\bbest\s+stocks?\s+(?:to\s+buy|right\s+now|for\b)"
    r"|\bgive\s+me\s+(?:a\s+)?(?:stock\s+)?(?:pick|tip)s?\b|\b(?:good|best|top)\s+stocks?\s+to\s+(?:buy|own|pick)"
    r"|\bwhich\s+(?:stock|share|company|one)s?\s+to\s+(?:buy|pick|own)\b|\bstock\s+picks?\b|\bhot\s+tip")
_CAPABILITIES = _rx(
    r"\bwhat\s+(?:can|do)\s+you\s+(?:do|answer|help|know)|\bwhat\s+(?:kind\s+of\s+)?questions\s+"
    r"can\b|\bhow\s+can\s+you\s+help|\bwho\s+are\s+you\b|\bwhat\s+are\s+you\b|^\s*help\s*[?!.]*$"
    r"|\byour\s+(?:capabilities|features)|\bare\s+you\s+able\b|\bcan\s+you\s+(?:perform|run|analy[sz]e)\b"
    r"|\bwhat\s+(?:tools|data)\s+do\s+you\s+have")
_WHY = _rx(r"^\s*(?:and\s+|but\s+|so\s+)?(?:why|how\s+come|explain(?:\s+(?:that|this|why))?|"
           r"what(?:'s|\s+is)\s+(?:driving|behind)|what\s+drives|what\s+are\s+the\s+drivers)\b"
           r"|\bwhy\s+(?:is|was|does|did)\s+(?:that|this|it)\b|\bwhy\s+(?:is|was)\s+\S+\s+(?:rated"
           r"|a\s+(?:buy|sell|hold))|\breasons?\s+(?:for|behind)\s+(?:that|this|the\s+(?:call|rating|"
           r"signal))")
FIGURES: tuple[tuple[str, re.Pattern[str]], ...] = tuple((k, _rx(p)) for k, p in (
    ("net_sales", r"\b(?:total\s+)?net\s+sales\b|\brevenues?\b|\bsales\s+(?:growth|grew|rose)"
                  r"|\btop[-\s]line\b|\bturnover\b"),
    ("net_income", r"\bnet\s+(?:income|earnings|profit)\b|\bbottom[-\s]line\b|\bprofits?\b"),
    ("gross_margin", r"\bgross\s+(?:margin|profit)\b"),
    ("cost_of_sales", r"\bcogs\b|\bcost\s+of\s+(?:sales|goods(?:\s+sold)?|revenues?)\b"),
    ("operating_income", r"\boperating\s+(?:income|profit)\b|\bincome\s+from\s+operations\b"),
    ("research_and_development", r"\br\s?&\s?d\b|\bresearch\s+and\s+development\b"),
))
_FILING = _rx(rf"\b{FORM_K}|\b(?:8-?k|filings?|filed|md\s?&\s?a|risk\s+factors?|sec\s+reports?)\b"
              r"|\b(?:annual|quarterly)\s+report|management'?s\s+discussion|\bitem\s+[1-9]a?\b"
              r"|\blegal\s+proceedings\b")
_CALL = _rx(r"\b(?:earnings|conference)\s+calls?\b|\btranscripts?\b|\bon\s+the\s+call\b"
            r"|\b(?:management|ceo|cfo|executives?|chief\s+executive)\s+(?:\w+\s+)?(?:say|says|"
            r"said|think|thinks|talk\w*|discuss\w*|comment\w*|mention\w*)\b"
            r"|\b(?:say|said|talk\w*|discuss\w*|mention\w*|comment\w*)\b.*\b(?:on|in|during)\s+(?:the"
            r"|their|its|last|latest)\s+(?:\w+\s+)?call\b")
_BACKTEST = _rx(
    r"\bback-?test\w*|\bhow\s+(?:would|did|has|does)\s+(?:the\s+|a\s+|an\s+)?(?:\w+\s+){0,3}"
    r"(?:strategy|crossover|buy\s+and\s+hold|signals?|system)\b|\bstrateg(?:y|ies)\b|\bconfluence\b"
    r"|\b(?:sharpe|sortino|cagr|win\s+rate)\b|\bbuy\s+and\s+"
    r"hold\b|\b(?:sma|moving[-\s]average)\s+cross(?:over)?\s+(?:strategy|system)|\bcrossover\s+"
    r"strategy|\b(?:fees|commissions|slippage|trading\s+costs|transaction\s+costs)\b"
    r"|\btrack\s+record\b|\bhow\s+(?:well\s+)?(?:has|have)\s+the\s+(?:signals?|calls?)\s+"
    r"(?:done|performed|worked)")
# "how have your calls on IBM done?", "your track record", "how accurate have you been": the
# product's own recorded calls (tools.track_record), not the company's record or its model's
TRACK_RECORD = _rx(
    r"\byour\s+(?:own\s+)?(?:track\s+record|hit\s+rate)\b"
    r"|\b(?:your|you'?ve|have\s+you)\b[^?.!]*\b(?:calls?|signals?|predictions?|forecasts?|picks?"
    r"|recommendations?)\b[^?.!]*\b(?:done|did|perform(?:ed)?|work(?:ed)?\s+out|worked|fared|"
    r"been\s+right|right(?!\s+now)|accurate|accuracy|hit\s+rate|record)\b"
    r"|\bhow\s+(?:accurate|good|reliable)\s+(?:are|have\s+been|were)\s+(?:you|your)\b"
    r"|\bhow\s+(?:accurate|good|reliable|right)\b[^?.!]*\byour\s+(?:[\w-]+\s+){0,2}"
    r"(?:calls?|signals?|predictions?|forecasts?)\b")
_MODEL = r"\b(?:models?|ml|machine[-\s]learning|predictions?|forecasts?|classifier|xgboost)\b"
_MODEL_RECORD = _rx(
    rf"{_MODEL}.*\b(?:held\s+up|hold\s+up|out[-\s]of[-\s]sample|accura\w+|any\s+good|track\s+"
    r"record|record|reliab\w+|trust\w*|hit\s+rate|right|walk[-\s]forward|validat\w+|worked?|"
    r"performed|skill)\b|\b(?:out[-\s]of[-\s]sample|walk[-\s]forward|track\s+record|hit\s+rate)\b"
    rf".*{_MODEL}|\b(?:how\s+)?(?:good|accurate|reliable)\s+(?:is|are|has)\s+(?:the|your|that|this)\s+"
    r"(?:model|predictions|forecasts)")
_UP = (
    r"(?:go(?:es|ing)?\s+up|rise|rises|rising|climb\w*|gain|increase|go\s+higher|be\s+up"
    r"|end\s+up)"
)
_DOWN = r"(?:go(?:es|ing)?\s+down|fall|falls|falling|drop\w*|decline\w*|go\s+lower|be\s+down|sink)"
_DIRECTION = _rx(
    rf"\b(?:will|would|is|could)\s+(?:\w+\s+){{0,3}}(?:{_UP}|{_DOWN})\b|\bup\s+or\s+down\b"
    rf"|\bprobabilit\w+\s+(?:\w+\s+){{0,4}}(?:{_UP}|{_DOWN}|higher|lower|up|down)"
    rf"|\b(?:chances?|odds|likel\w+)\s+(?:\w+\s+){{0,4}}(?:{_UP}|{_DOWN}|higher|lower)"
    r"|\b(?:will|would|could|is)\s+(?:\S+\s+){0,4}(?:close|end|finish|trade|be)\s+(?:higher|lower)\b"
    r"|\bdirection\b|\bforecast\b|\bpredict\w*\b")
# a model's forecast asked for: "what does the model predict", "the ML forecast for AAPL"
_MODEL_FORECAST = _rx(
    r"\b(?:models?|ml|machine[-\s]learning|xgboost)(?:'s)?\s+(?:\w+\s+){0,2}?(?:predict\w*|"
    r"forecasts?|expect\w*|say|think\w*|see|call)\b|\b(?:predict\w*|forecasts?)\s+(?:for|of)\b"
    r"|\b(?:predict\w*|forecasts?)\b.*\b(?:ahead|next|tomorrow|coming)\b")
_CVAR = _rx(r"\bc-?var\b|\bexpected\s+shortfall\b|\btail\s+(?:loss|risk)\b|\bconditional\s+"
            r"(?:value\s+at\s+risk|var)\b|\baverage\s+(?:loss|of\s+the\s+losses)\s+(?:beyond|past|"
            r"in\s+the\s+tail|(?:in|on|over)\s+the\s+worst)|\bbeyond\s+(?:the\s+)?var\b|\bes\b")
_VAR = _rx(r"\bvar\b|\bvalue[-\s]at[-\s]risk\b|\bhow\s+much\s+(?:money\s+)?(?:could|might|can|"
           r"would|will)\s+(?:\S+\s+){1,2}(?:lose|drop|fall|sink|shed)|\b(?:possible|potential|worst[-\s]"
           r"case|likely|maximum)\s+loss|\bdownside\b|\blose\s+in\s+a\s+(?:bad\s+)?(?:day|"
           r"week|month)|\bhow\s+risky\b|\briskiness\b|\brisk\s+(?:profile|level)"
           r"|\b(?:1|one)[-\s]+in[-\s]+(?:a[-\s]+)?(?:\d{2,4}|twenty|fifty|hundred|thousand)\b"
           r"(?:[-\s]+(?:days?|weeks?|months?|years?))?[-\s]+(?:loss|losses|drop|fall|decline)\b")
_DRAWDOWN = _rx(r"\bdraw-?downs?\b|\bpeak[-\s]to[-\s]trough\b|\bfall\s+from\s+(?:its\s+|the\s+)?"
                r"peak|\bfrom\s+(?:its\s+|the\s+)?peak\b|\bbiggest\s+(?:drop|decline|fall|loss)"
                r"|\bworst\s+(?:drop|decline|fall|slump)"
                r"|\bhow\s+bad\s+(?:did|was|were|has|had|got|it)\b|\bhow\s+(?:hard|much)\s+did\s+\S+"
                r"\s+(?:get\s+hit|crash|tank|fall|drop)"
                r"|\bhow\s+(?:far|much)\b.*\b(?:off|below|from|under)\s+(?:its|the)\s+(?:\d+-week\s+)?"
                r"(?:peak|high|highs|top)\b")
_VOLATILITY = _rx(r"\bvolatil\w*|\bvol\b|\bhow\s+much\s+does\s+\S+\s+(?:swing|move|bounce)"
                  r"|\bswings?\b|\bchoppy\b|\bjumpy\b|\bstandard\s+deviation\b|\bstd\b|\bturbulent\b")
_REGIME = _rx(r"\bregime\b|\bbull\s+or\s+(?:a\s+)?bear\b|\bbear\s+or\s+(?:a\s+)?bull\b"
              r"|\b(?:bull|bear)\s+market\b|\bbull\s+phase|\bbear\s+phase")
OVERSOLD = _rx(r"\boversold\b|\bwashed[-\s]out\b|\bbeaten[-\s]down\b|\btoo\s+(?:cold|cheap)\b"
               r"|\bsold\s+off\s+too\s+much")
OVERBOUGHT = _rx(r"\boverbought\b|\bstretched\b|\btoo\s+hot\b|\boverheat\w*|\bover-?extended\b"
                 r"|\bfrothy\b|\brun\s+(?:up\s+)?too\s+far\b|\bbought\s+too\s+much")
_TREND_STRENGTH = _rx(r"\badx\b|\btrend\s+strength\b|\bstrength\s+of\s+(?:the\s+|its\s+)?trend\b"
                      r"|\bhow\s+strong\s+is\s+(?:the\s+|its\s+)?trend\b")
_TREND = _rx(r"\b(?:up|down)-?trend\w*|\btrend(?:ing|s)?\b|\bgolden\s+cross|\bdeath\s+cross"
             r"|\b(?:hold|held|holding|act\w*|serve\w*)\s+(?:up\s+)?as\s+support\b|\bsupport\s+(?:at|from)\b"
             r"|\b(?:above|below|over|under)\s+(?:its\s+|the\s+)?\d{2,3}[-\s]day\b"
             r"|\b(?:above|below|over|under)\s+(?:its\s+|the\s+)?(?:sma|ema|moving\s+average)")
INDICATORS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((k, _rx(p)) for k, p in (
    ("bb_bandwidth", r"\bband\s?width\b|\bwide\b.{0,40}\bbands?\b|\bbands?\b.{0,30}\bwide\b"
                     r"|\bwidth\s+of\s+(?:the\s+)?(?:bollinger\s+)?bands?\b|\bband\s+width"
                     r"|\bbands?\s+(?:width|squeeze)|\bsqueeze\b"),
    ("bb_pct_b", r"%\s?b\b|\bpercent\s?b\b|\bpct\s?b\b|\bwhere\s+(?:is\s+it\s+)?(?:with)?in\s+"
                 r"(?:the\s+|its\s+)?(?:bollinger\s+)?bands"),
    ("bb_upper", r"\bupper\s+(?:bollinger\s+)?band\b"),
    ("bb_lower", r"\blower\s+(?:bollinger\s+)?band\b"),
    ("macd_hist", r"\bmacd\s+histogram\b"),
    ("macd_signal", r"\bmacd\s+signal\b"),
    ("macd", r"\bmacd\b"),
    ("rsi_14", r"\brsi\b|\brelative\s+strength(?:\s+index)?\b"),
    ("atr_14", r"\batr\b|\baverage\s+true\s+range\b"),
    ("adx_14", r"\badx\b|\baverage\s+directional\b|\btrend\s+strength\b"),
    ("stoch_slowk", r"\bstochastic\w*\b"),
    ("willr_14", r"\bwilliams\s+%?\s?r\b"),
    ("cci_20", r"\bcci\b|\bcommodity\s+channel\b"),
    ("mfi_14", r"\bmfi\b|\bmoney\s+flow\b"),
    ("roc_12", r"\broc\b|\brate\s+of\s+change\b"),
    ("obv_change_20", r"\bobv\b|\bon[-\s]balance\s+volume\b"),
    ("bb_pct_b", r"\bbollinger\b"),
))
MOVING_AVERAGE = _rx(
    r"\b(?:(?P<k1>sma|ema)\s?\(?(?P<n1>\d{1,3})\)?|(?P<n2>\d{1,3})[-\s]day\s+(?:(?P<k2>simple|"
    r"exponential)\s+)?(?P<k3>moving\s+average|average|ma|sma|ema)|(?P<n3>\d{1,3})\s?(?P<k4>sma|ema|dma))\b"
)
_MA_WORDS = _rx(r"\bmoving\s+averages?\b|\b(?:sma|ema)\b")
_RANGE = _rx(r"\b52[-\s]week\b|\b(?:year|annual)\s+(?:high|low)\b|\b(?:highest|lowest|peak|top|"
             r"bottom)\s+(?:\w+\s+){0,2}(?:price|close|level|point)|\bhigh\s+and\s+(?:the\s+)?low\b"
             r"|\b(?:trading\s+)?range\b|\ball[-\s]time\s+(?:high|low)\b|\bhow\s+(?:high|low)\s+"
             r"(?:did|has)\b|\b(?:highest|lowest)\b(?!\s+(?:return|volatility|risk|momentum|signal|sharpe))")
_RETURN = _rx(r"\breturns?\b|\breturned\b|\bgain(?:ed|s)?\b|\bperform(?:ance|ed)\b|\brose\b"
              r"|\bhow\s+much\s+(?:is|was|has)\s+(?:\S+\s+){0,3}?(?:up|down|fallen|dropped|risen)\b"
              r"|\b(?:up|down)\s+(?:how\s+much\s+)?since\b|\bbe\s+worth\b|\bgrown\s+to\b"
              r"|\ban?\s+(?:good|bad|great|strong|weak|terrible|rough|decent)\s+year\b"
              r"|\bfell\b|\b(?:went|go|gone)\s+(?:up|down)\s+(?:in|during|over|since)\b|\bgone\s+(?:up|down)\b"
              r"|\bhow(?:'s|\s+is|\s+has|\s+was)\b.{0,40}\b(?:doing|done|faring|fared)\b.{0,20}\b(?:this"
              r"\s+year|ytd|since|in\s+\d{4}|last|past)\b|\bytd\b|\byear[-\s]"
              r"to[-\s]date\b|\bhow\s+much\s+(?:did|has)\s+\S+\s+(?:gain|lose|rise|fall|climb|drop|"
              r"move|go\s+up|go\s+down|appreciate)|\bhow\s+(?:did|has)\s+(?:\S+\s+){1,4}?(?:do|done|"
              r"fare|fared)\b|\bchange\s+in\s+(?:price|value)\b|\bup\s+or\s+down\s+(?:in|over|since)")
_PRICE = _rx(r"\bprices?\b|\bwhere(?:'s|\s+is|\s+was)\b.{0,30}\bat\b|\bclose\b|\bclosed\b"
             r"|\bclosing\b|\bquote\b|\btrading\s+at\b|\bwhere\s+"
             r"(?:is|was|does)\s+\S+\s+trad\w+|\bshare\s+price|\bwhat(?:'s|\s+is|\s+was)\s+\S+\s+"
             r"(?:at|worth)\b|\blast\s+(?:close|trade)\b")
_POSITION = _rx(r"\bposition\s+siz\w+|\bsize\s+(?:of\s+)?(?:my|a|the)\s+position"
                r"|\bhow\s+(?:much|big|"
                r"large)\s+(?:of\s+a\s+|a\s+)?(?:position|stake|allocation)\b|\bhow\s+much\s+(?:money\s+)?"
                r"(?:should|would|could|do)\s+(?:i|we)\s+(?:put|invest|allocate|buy|risk|commit)|\bhow"
                r"\s+much\s+of\s+(?:my|our|the|a|an|this)\b.{0,40}\b(?:should|would|to)\b|\bhow"
                r"\s+much\s+\S+\s+(?:should|would|could|do)\s+(?:i|we)\s+(?:buy|own|hold|get)\b|\b(?:with|for"
                r"|from)\s+(?:a|an|my)\s+[$€£]?\s?\d[\d,.]*\s?(?:k|m|million|thousand)?\s*(?:dollars?|euros?"
                r")?\s*(?:account|portfolio)\b|\bhow"
                r"\s+many\s+(?:\S+\s+)?shares\b|\bwhat\s+(?:fraction|percentage|share|portion|part)\s+of\s+(?:my|"
                r"the|a)\s+(?:portfolio|account|capital|money)|\ballocat\w+\b|\bposition\b")
# "Should I buy X?" is the question even when more is asked after it ("... give its technicals")
_SHOULD = _rx(r"\bshould\s+(?:i|we)\s+(?:buy|sell|hold|short|invest|get\s+into|own|keep|dump|add"
              r"|trim|exit)\b")
_SIGNAL = _rx(_SHOULD.pattern + r"|\boutlook\b|\brecommend\w*|\bbullish\b|\bbearish"
              r"\b|\bsignal\b|\brating\b|\bworth\s+(?:buying|owning|it)\b|\bgood\s+(?:investment|"
              r"buy|time\s+to)\b|\bverdict\b|\bcall\s+on\b|\btake\s+on\b"
              r"|\b(?:is|are)\s+(?:\S+\s+){1,4}?an?\s+(?:buy|sell|hold)\b")
_TECHNICALS = _rx(r"\btechnicals\b|\b(?:technical|momentum)\s+(?:indicators?|picture|analysis|"
                  r"view|set-?up|readings?)\b|\bindicators?\b")
_BUY_SELL = _rx(r"\b(?:buy|sell|hold)\b")  # alone, a weak cue: "buy and hold" is a backtest
_NEWS = _rx(r"\bnews\b|\bheadlines?\b|\bstories\b|\barticles?\b|\bpress\b|\bwhat(?:'s|\s+is)\s+"
            r"happening\b")
_SENTIMENT = _rx(r"\bsentiment\b|\btone\b|\bmood\b|\bfeel(?:ing)?\s+about\b|\bpositive\s+or\s+"
                 r"negative\b|\bbuzz\b")
COMPARATIVE = _rx(r"\b(?:compar\w*|versus|vs\.?|against|relative\s+to|which|better|worse|stronger"
                  r"|weaker|riskier|safer|higher|lower|more|less|outperform\w*|underperform\w*"
                  r"|beat|beats|beaten|beating|rank|ranked|ranking)"
                  r"(?!\w)")
# fmt: on


def rule_ask(text: str, *, n_companies: int, has_history: bool) -> RuleAsk | None:
    """The ask the rules find in ``text``, or None. ``n_companies`` counts every company named
    (known or not): two or more with a comparative word make a comparison."""
    if TRACK_RECORD.search(text):
        return RuleAsk("track_record", True)
    if _CAPABILITIES.search(text):
        return RuleAsk("capabilities", True)
    if _WHY.search(text) and (has_history or n_companies):
        return RuleAsk("why", True)
    if n_companies >= 2 and COMPARATIVE.search(text):
        return RuleAsk("compare", True)
    if _FILING.search(text):
        number = figure(text) and not _SAYS.search(text)  # "what does it say about net sales"
        return RuleAsk("filing_figure" if number else "filing", True)
    if _CALL.search(text):
        return RuleAsk("call", True)
    if figure(text) and not _RETURN_ONLY.search(text):
        return RuleAsk("filing_figure", True)
    for ask, pattern in _ORDERED:
        if pattern.search(text):
            if ask == "var" and _forward_fall(text):
                return RuleAsk("drawdown", True)
            if ask == "signal_weak":
                return RuleAsk("signal", False)
            if pattern is _MODEL_FORECAST:  # a model's forecast named: sure, unlike "up?"
                return RuleAsk("direction", True)
            if pattern is _BEST_MONTH:
                return RuleAsk("return", True)
            return RuleAsk(ask, ask not in _WEAK)
    return None


_SAYS = _rx(r"\b(?:say|says|said|discuss\w*|mention\w*|describe\w*|explain\w*|write|wrote)\b")
_RETURN_ONLY = _rx(r"\bstock\s+(?:price\s+)?(?:gain|return)|\bshare\s+price")
# "MSFT's best month in 2011": monthly returns over a window, sure (unlike "up?")
_BEST_MONTH = _rx(r"\b(?:best|worst|strongest|weakest|top)\s+(?:performing\s+|single\s+)?month\b")
_ORDERED: tuple[tuple[Ask | Literal["signal_weak"], re.Pattern[str]], ...] = (
    ("return", _BEST_MONTH),
    ("model_record", _MODEL_RECORD),
    ("direction", _MODEL_FORECAST),
    ("backtest", _BACKTEST),
    ("position_size", _POSITION),
    ("signal", _SHOULD),
    ("cvar", _CVAR),
    ("drawdown", _DRAWDOWN),
    ("var", _VAR),
    ("overbought", OVERBOUGHT),
    ("overbought", OVERSOLD),
    ("regime", _REGIME),
    ("indicator", _TREND_STRENGTH),
    ("trend", _TREND),
    ("indicator", _rx("|".join(p.pattern for _, p in INDICATORS) + r"|" + MOVING_AVERAGE.pattern)),
    ("volatility", _VOLATILITY),
    ("range", _RANGE),
    ("direction", _DIRECTION),
    ("return", _RETURN),
    ("price", _PRICE),
    ("indicator", _MA_WORDS),
    ("indicator", _TECHNICALS),
    ("signal", _SIGNAL),
    ("signal_weak", _BUY_SELL),
    ("sentiment", _SENTIMENT),
    ("news", _NEWS),
)
_WEAK: frozenset[str] = frozenset({"return", "price", "direction"})


def _forward_fall(text: str) -> bool:
    """ "How much could it fall over the next year?": a loss over a quarter or more, not named
    VaR, is the forward drawdown risk (VaR is a short-horizon measure)."""
    days = horizon_days(text)
    tail = confidence_level(text) is not None  # "worst 5% case over a quarter": a VaR
    return days is not None and days >= 63 and not _NAMED_VAR.search(text) and not tail


_NAMED_VAR = _rx(r"\bc?var\b|\bvalue[-\s]at[-\s]risk\b|\bshortfall\b")


def figure(text: str) -> str | None:
    """The filing figure a question asks for (net_sales, net_income, ...), or None."""
    return next((key for key, pattern in FIGURES if pattern.search(text)), None)


def indicator_metric(text: str) -> str | None:
    """The indicator key (quant.indicators.classic) a question names: rsi_14, macd, sma_50, ..."""
    if m := MOVING_AVERAGE.search(text):
        said = m.group("k1") or m.group("k2") or m.group("k3") or m.group("k4")
        kind = "ema" if said.lower().startswith("e") else "sma"
        return f"{kind}_{int(m.group('n1') or m.group('n2') or m.group('n3'))}"
    return next((key for key, pattern in INDICATORS if pattern.search(text)), None)


def verdict_for(ask: Ask, text: str, *, topic: str | None = None) -> Verdict | None:
    """The judgement the first sentence must state, in the question's terms. ``topic`` is the
    filing question's topic ("does the 10-K mention <topic>?")."""
    if ask == "filing" and topic and _YES_NO_QUESTION.search(text):
        return Verdict(kind="yes_no", predicate=f"mentions {topic}")
    if ask == "overbought":
        sold, bought = OVERSOLD.search(text), OVERBOUGHT.search(text)
        first = (
            sold if bought is None or (sold is not None and sold.start() < bought.start()) else None
        )
        return Verdict(kind="yes_no", predicate="oversold" if first else "overbought")
    if ask == "trend":  # "is it in an uptrend?" is yes/no; "trend for IBM? up or down" is not
        named = _rx(
            r"\b(?:above|over|below|under|golden|death|uptrend|downtrend|support)\b"
        ).search(text)
        if not (_YES_NO_QUESTION.search(text) or named):
            return None
        return Verdict(kind="yes_no", predicate=_trend_predicate(text))
    if ask == "regime":
        return Verdict(kind="bull_bear", predicate="bull or bear")
    if ask == "direction":
        down = _rx(rf"\b{_DOWN}\b|\blower\b").search(text) and not _rx(rf"\b{_UP}\b").search(text)
        return Verdict(kind="up_down", predicate="down" if down else "up")
    if ask == "compare":
        kind = "yes_no" if _YES_NO_QUESTION.search(text) else "which"
        return Verdict(kind=kind, predicate=compare_metric(text)[1])
    if ask == "signal" and _YES_NO_QUESTION.search(text):
        return Verdict(kind="yes_no", predicate=_signal_predicate(text))
    return None


# "Should I buy ...?", "Is X a buy?", "Are you bullish on ...?", "Is X stronger than Y?"
_YES_NO_QUESTION = _rx(
    r"^\s*(?:so\s+|and\s+|ok(?:ay)?,?\s+)?(?:should|is|are|would|do|does|can|"
    r"shall|will|was|has|have|did)\b(?!\s+(?:\S+\s+){0,3}(?:or)\b)"
)


def _signal_predicate(text: str) -> str:
    """What a yes/no signal question asks: buy, sell, hold, bullish or bearish."""
    for predicate, pattern in (
        ("bearish", r"\bbearish\b"),
        ("bullish", r"\bbullish\b"),
        ("sell", r"\b(?:sell|short|dump|exit|trim|get\s+out)\b"),
        ("hold", r"\b(?:hold|keep)\b"),
    ):
        if _rx(pattern).search(text):
            return predicate
    return "buy"


_ABOVE = _rx(r"\b(above|over|below|under)\s+(?:its\s+|the\s+)?")


def _trend_predicate(text: str) -> str:
    if _rx(r"\bgolden\s+cross").search(text):
        return "golden cross"
    if _rx(r"\bsupport\b").search(text):  # "did the 200 day hold as support?": still above it
        days = _rx(r"\b(\d{2,3})[-\s]?(?:day|d|dma|sma)\b").search(text)
        return f"above sma_{days.group(1) if days else 200}"
    if _rx(r"\bdeath\s+cross").search(text):
        return "death cross"
    if m := _ABOVE.search(text):
        side = "above" if m.group(1).lower() in ("above", "over") else "below"
        rest = text[m.end() :]
        days = re.match(r"(\d{2,3})[-\s]day", rest)
        metric = indicator_metric(rest) or (f"sma_{days.group(1)}" if days else "sma_200")
        return f"{side} {metric}"
    if _rx(r"\bdown-?trend|\btrend\w*\s+(?:down|lower)|\bdownward").search(text):
        return "downtrend"
    return "uptrend"


_COMPARE_METRICS = (
    ("risk", "riskier", r"\brisk(?:s|y|i\w+)?\b|\bsafe(?:r|st)\b|\bvar\b|\bdrawdown"),
    ("volatility", "more volatile", r"\bvolatil\w*|\bswings?\b"),
    (
        "momentum",
        "better momentum",
        r"\bmomentum\b|\btrend\w*\b|\brsi\b|\bmacd\b"
        r"|\b(?:stronger|weaker)\b(?!.*\b(?:signals?|buy|rating|outlook)\b)",
    ),
    (
        "return",
        "higher return",
        r"\breturns?\b|\b(?:out|under)?perform\w*|\bgain\w*|\brose\b|\bbeat\w*"
        r"|\bdid\s+better\b|\bup\s+more\b",
    ),
    (
        "signal",
        "stronger signal",
        r"\bsignals?\b|\bbuy\b|\brating\b|\bbetter\s+(?:bet|pick|"
        r"investment)|\boutlook\b|\bstronger\b",
    ),
)


def compare_metric(text: str) -> tuple[str, str]:
    """(quantity.metric, verdict predicate) of a comparison; when nothing is said, the return
    over a window the question names ("how did X do in 2009 vs Y"), else momentum."""
    if (said := said_compare_metric(text)) is not None:
        return said
    return ("return", "higher return") if find_period(text) else ("momentum", "better momentum")


def said_compare_metric(text: str) -> tuple[str, str] | None:
    """(quantity.metric, verdict predicate) the comparison names, or None when it names none."""
    if re.search(r"\bsignals?\b|\bratings?\b", text, FLAGS):  # "the signals ... which is stronger?"
        return "signal", "stronger signal"
    for metric, predicate, pattern in _COMPARE_METRICS:
        if re.search(pattern, text, FLAGS):
            return metric, predicate
    return None


def compare_predicate(metric: str) -> str:
    """The verdict predicate of a comparison by ``metric`` ("risk" -> "riskier")."""
    return next((p for m, p, _ in _COMPARE_METRICS if m == metric), "better momentum")


def yes_no_question(text: str) -> bool:
    """ "Should I ...?", "Is ...?", "Does ...?": a question answered yes or no."""
    return bool(_YES_NO_QUESTION.search(text))
