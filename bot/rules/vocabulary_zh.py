"""The Chinese vocabulary of the news classifier (simplified and traditional), as data.

The same tiers and grammar as the English vocabulary (bot/rules/vocabulary.py), written for
text without spaces: a gap is a run of characters within one clause, and each character that
differs between the scripts is a class ("[实實]施" is 实施 and 實施). Every term carries the
English gloss an alert shows next to the original headline. Official notice titles read like
"关于对……实施出口管制的决定" (a measure imposed), "关于暂停实施……的公告" (a measure
suspended), "关于停止执行……的公告" (a measure no longer enforced).
"""

from __future__ import annotations

from bot.rules.vocabulary import EASE, RESTRICT, Term, Tier

_CLAUSE = r"[^，。；：？！,;:?!\x00]"


def _gap(n: int) -> str:
    return f"{_CLAUSE}{{0,{n}}}?"


def pair(head: str, tail: str, n: int = 16) -> str:
    return rf"(?P<v>{head}){_gap(n)}(?P<o>{tail})"


def one(regex: str) -> str:
    return rf"(?P<v>{regex})"


IMPLEMENT = r"(?:[实實]施|[实實]行|施行|[执執]行|[进進]行)"
IMPOSED = (r"(?:出口管制|管制|管控|禁令|禁止|限制措施|限制|禁[运運]|[关關][税稅]|反[倾傾][销銷]"
           r"|反[补補][贴貼]|配[额額]|[许許]可[证證]?管理|出口[许許]可)")
CONTROL = rf"(?:{IMPOSED}|措施)"
TRADE = (r"(?:出口(?![商]|企[业業]|[经經][营營])|出[货貨]|供[应應](?![链鏈])"
         r"|[销銷]售|[发發][货貨]|[运運][输輸]|交付|[进進]口|外[销銷]"
         r"|通[关關]|出境)")
LICENCE = r"(?:[许許]可[证證]?|[审審]批|申[请請]|批文|出口[资資][质質])"
LIST = r"(?:清[单單]|名[单單]|目[录錄]|管控名[单單])"
SUSPEND = r"(?:[暂暫]停|停止|[暂暫][缓緩]|推[迟遲]|延[迟遲]|中止|延[后後])"
LIFT = (r"(?:取消|撤[销銷]|解除|废止|廢止|放[宽寬]|放松|放鬆|豁免|移出|移除|剔除|停止|[暂暫]停"
        r"|松[绑綁]|鬆綁|放[开開])")

TIERS: tuple[Tier, ...] = (
    Tier("compound", (
        Term(RESTRICT, one(rf"恢[复復]{IMPLEMENT}|重新{IMPLEMENT}|[暂暫]停期[满滿]|到期后恢[复復]"),
             gloss="a suspended measure reinstated"),
        Term(RESTRICT, one(r"不予[许許]可|不予批准|不予[审審]批|原[则則]上不予"),
             gloss="licences refused"),
        Term(EASE, pair(r"延[长長]", r"[暂暫]停|豁免|[缓緩][冲衝]期", 8),
             gloss="a suspension of a measure extended"),
        Term(EASE, one(rf"{SUSPEND}{IMPLEMENT}|停止[适適]用|不再{IMPLEMENT}"),
             gloss="a measure suspended"),
        Term(EASE, one(r"[获獲]得?豁免|予以豁免|豁免"), gloss="exempted from a measure"),
        Term(EASE, one(r"解禁"), gloss="a ban lifted"),
        Term(EASE, pair(SUSPEND, rf"{CONTROL}|公告|决定|決定", 16),
             gloss="a measure suspended"),
        Term(RESTRICT, pair(r"打[击擊]|整治|查[处處]|严打|嚴打|[缉緝]私|遏制", r"走私|非法出口", 12),
             gloss="a crackdown on smuggling"),
        Term(RESTRICT, pair(r"走私", r"[专專]项|行[动動]|整治|打[击擊]|[严嚴]查|[严嚴]打|高[压壓]", 8),
             gloss="a crackdown on smuggling"),
    )),
    Tier("eased", (
        Term(EASE, pair(LIFT, CONTROL, 16), gloss="a measure lifted or relaxed"),
        Term(EASE, pair(LIST, r"中?移[除出]|剔除", 4), gloss="removed from a control list"),
        Term(EASE, pair(r"移[除出]|剔除", LIST, 12), gloss="removed from a control list"),
        Term(EASE, pair(r"下[调調]|降低|[减減]免|免征|免徵|免除|取消", r"[关關][税稅]|[税稅]率", 8),
             gloss="tariffs cut or waived"),
        Term(EASE, one(r"[关關][税稅]排除|排除清[单單]"), gloss="tariff exclusions"),
        Term(EASE, pair(CONTROL, r"取消|解除|放[宽寬]|松[绑綁]|鬆綁|[暂暫]停|中止|[终終]止", 8),
             0.9, gloss="a measure lifted or relaxed"),
    )),
    Tier("licences", (
        Term(RESTRICT, pair(r"拒[绝絕]|拒批|[驳駁]回|[冻凍][结結]|吊[销銷]|撤[销銷]|[暂暫]停|停止"
                            r"|推[迟遲]|延[迟遲]|收[紧緊]|卡|放慢|[拖]延|搁置|擱置", LICENCE, 20),
             gloss="licences refused, suspended or delayed"),
        Term(RESTRICT, pair(LICENCE, r"被拒|遭拒|遭[驳駁]回|受阻|停滞|停滯|延[迟遲]|搁置|擱置|卡[壳殼]|放慢"
                            r"|[暂暫]停|冻[结結]|凍結|放[缓緩]|[趋趨][严嚴]|收[紧緊]|[周週]期延[长長]|[时時][间間]延[长長]"
                            r"|[变變]慢", 8), 0.9,
             gloss="licences refused, suspended or delayed"),
        Term(RESTRICT, pair(r"需要?|[须須]|必[须須]|[应應][当當]|需[经經]|[实實][施行]|[纳納]入"
                            r"|列入", rf"(?:申[请請]|取得|[获獲]得?)?{LICENCE}|[许許]可[证證]?管理|批准", 20),
             gloss="exports made subject to licensing"),
        Term(EASE, pair(r"批准|[发發]放|[颁頒][发發]|[签簽][发發]|授予|[获獲]批|[获獲]得|取得|加快"
                        r"|加速|[简簡]化|便利|予以|[开開]通|恢[复復]|批出|核[发發]", LICENCE, 20),
             gloss="licences granted or sped up"),
        Term(EASE, pair(LICENCE, r"[获獲]批|通[过過]|放行|[发發]放|加快|提速|[简簡]化", 8), 0.9,
             gloss="licences granted or sped up"),
        Term(EASE, one(r"通用[许許]可|[绿綠]色通道|快速通道"), 0.6, verbal=False,
             gloss="general licences"),
    )),
    Tier("trade", (
        Term(RESTRICT, pair(rf"{IMPLEMENT}|启[动動]|啟動|采取|採取|出台|宣布|[发發]布|公布|加[强強]"
                            r"|[强強]化|收[紧緊]|[扩擴]大|加[征徵]|征收|徵收|加[码碼]|升[级級]",
                            rf"{IMPOSED}|反[倾傾][销銷][税稅]|[关關][税稅]", 20),
             gloss="export controls or duties imposed"),
        Term(RESTRICT, pair(r"禁止|[严嚴]禁|[暂暫]停|停止|中[断斷]|叫停|限制|[断斷]供|切[断斷]|(?<!出口)管[制控]"
                            r"|[冻凍][结結]|[阻拦攔]|扣押|扣留|收[紧緊]", TRADE, 14),
             gloss="exports banned, halted or restricted"),
        Term(RESTRICT, one(r"[断斷]供|停供|禁[售运運]"), 0.9, gloss="supply cut off or sales banned"),
        Term(RESTRICT, one(r"不得出口|不得[对對向][^，。]{0,10}出口"), gloss="exports prohibited"),
        Term(RESTRICT, one(r"封[关關]|[关關]闭口岸|關閉口岸|口岸[关關]闭|口岸關閉"), 0.9,
             gloss="border crossings closed"),
        Term(RESTRICT, one(r"走私案|走私犯罪"), 0.9, gloss="smuggling enforcement"),
        Term(RESTRICT, pair(TRADE, r"[暂暫]停|停止|中[断斷]|叫停|受阻|被禁|停[摆擺]|受限|被扣", 8),
             0.8, gloss="exports halted"),
        Term(RESTRICT, pair(r"[纳納]入|列入|增列|新增|加入|追加", rf"{LIST}|管制|管控", 16),
             gloss="added to a control list"),
        Term(RESTRICT, pair(r"管制|措施|禁令|[关關][税稅]|[规規]定|要求", r"生效|正式[实實]施"
                            r"|[开開]始[实實]施|起施行|落地", 10),
             gloss="a measure takes effect"),
        Term(RESTRICT, pair(r"削[减減]|下[调調]|[减減]少|[压壓][缩縮]|收[紧緊]|[缩縮][减減]",
                            r"配[额額]|指[标標]", 8), gloss="a quota cut"),
        Term(RESTRICT, pair(r"配[额額]|指[标標]", r"削[减減]|下[调調]|[减減]少|下降|[压壓][缩縮]", 14),
             gloss="a quota cut"),
        Term(RESTRICT, pair(IMPOSED, r"加[码碼]|收[紧緊]|[扩擴]大|加[强強]|趋严|趨嚴", 4),
             gloss="controls tightened"),
        Term(RESTRICT, pair(r"反[倾傾][销銷]|反[补補][贴貼]", r"[税稅]|措施|[终終][裁]|初裁", 8),
             gloss="anti-dumping or countervailing duties"),
        Term(RESTRICT, pair(r"加[强強]|收[紧緊]|[严嚴]格|强化|強化", r"[审審]查|[审審]核|[监監]管|核查"
                            r"|[检檢]查", 12), gloss="tighter export checks"),
        Term(RESTRICT, pair(r"[关關][税稅]|[税稅]率", r"提高|上[调調]|升至|提升|加[征徵]", 8),
             gloss="tariffs raised"),
        Term(RESTRICT, pair(r"提高|上[调調]|提升", r"[关關][税稅]|[税稅]率", 12), gloss="tariffs raised"),
        Term(RESTRICT, pair(r"被?[认認]定|查[获獲]|查[处處]|[缉緝][获獲]", r"走私", 6),
             gloss="smuggling enforcement"),
        Term(RESTRICT, pair(r"走私", r"被?[认認]定|查[获獲]|查[处處]|判刑|入[狱獄]|立案|起[诉訴]", 10),
             gloss="smuggling enforcement"),
        Term(EASE, pair(r"恢[复復]|重[启啟]|放行|允[许許]|批准|加快|加速|提速|便利|保障|放[宽寬]|放松"
                        r"|放鬆|同意|放[开開]", TRADE, 20),
             gloss="exports resumed or sped up"),
        Term(EASE, pair(TRADE, r"恢[复復]|重[启啟]|放行|提速|加快|放[宽寬]|放松|放鬆", 6), 0.9,
             gloss="exports resumed or sped up"),
    )),
)

# Read in the last few characters of the clause before a term.
NEGATION = (r"(?:无力|無力|[难難]以|无法|無法|不[会會将將]"
            r"|不再|[没沒]有|并未|並未|否[认認]|无意|無意|不[拟擬]|不打算|[暂暫]不|并非"
            r"|並非|未曾|未(?![经經锻鍛]))")
SPECULATION = (r"(?:或[将將会會]|或[许許]|可能|[拟擬]|考[虑慮]|[酝醞][酿釀]|据[传傳]|據傳|[传傳]闻"
               r"|[传傳]聞|[传傳]出|恐|[担擔][忧憂心]|威[胁脅]|警告|若|如果|是否|[计計][划劃]|呼[吁籲]"
               r"|研究|[预預][计計]|(?<!材)料[将將]|[传傳]|[报報][道导導]称|[报報]道稱|消息人士|研[议議拟擬]|[会會]否|能否|可否|回[应應])")
MAY = r"(?!x)x"  # no case-sensitive modal in Chinese
SUBORDINATE = (r"(?:受|因|由于|由於|之后|之後|[后後]|背景下|之[际際]|[随隨]着|[随隨]著|在|[对對]于"
               r"|[对對]於)")
HISTORY = r"(?:以[来來]|[周週]年|回[顾顧]|曾|此前|去年|[当當]年|昔日|[历歷]史)"
CLAUSE_BREAK = r"[，。；：？！,;:?!()（）—]|\s"
FEATURE = (r"(?:解[读讀]|答[记記]者[问問]|[专專]家|分析|[评評]论|[观觀]察|[综綜]述|[盘盤]点|[盘盤]點"
           r"|一[图圖]|[问問]答|[时時]间线|[时時]間線|[周週]年|深度|社[论論]|快[评評]|[观觀]点"
           r"|[观觀]點|[为為]何|[为為]什[么麼]|怎[么麼]|如何|[吗嗎]|不等[于於]|不[针針][对對]"
           r"|是[^，。]{0,15}(?:[举舉]措|做法|合理|正[当當])|官媒|官方媒[体體]|社[评評])")
# A question answered in the same headline ("……？商务部回应") is not a hedge.
ANSWERED = r"\s*\S{0,8}(?:回[应應]|答[复復]|表[态態]|澄清)"
NOT_MATERIAL = r"(?!x)x"  # Chinese labelling counts technology controls as restrictions
# The lede is read only when the headline is an official notice or announcement.
LEDE_IF = r"公告|[决決]定|通知|公布|[发發]布|宣布"
MARKET = (r"(?:[价價]格|[报報][价價]|[涨漲]|跌|行情|股[价價]|市[场場]|期[货貨]|概念股|板[块塊]|走[势勢]"
          r"|[创創]新高|新低|同比|[环環]比|下降|增[长長]|[飙飆]升|暴[涨漲]|大[涨漲])")
OFF_TOPIC = (r"(?:[价價]格|[报報][价價]|[涨漲]|跌|行情|股[价價]|市[场場]|期[货貨]|概念股|板[块塊]"
             r"|走[势勢]|[业業][绩績]|利[润潤]|[产產]量|[矿礦]山|投[资資]|收[购購]|并[购購]|併購"
             r"|[数數]据|[数數]據|[统統][计計]|同比|[环環]比|[储儲][备備]|需求|短缺|[创創]新高|新低)")
GENERIC = r"[战戰]略[矿礦][产產]|[关關][键鍵][矿礦][产產]|[关關][键鍵]矿物|[关關][键鍵]礦物|[两兩]用物[项項]"
