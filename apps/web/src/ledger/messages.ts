// The timeline's ledger verification in the three languages (merged into each language's
// resources as `ledger`). zh-Hans is the source of the keys; the others are checked against it.
const zhHans = {
  index: "账本第 {{index}} 条",
  unsealedTag: "待记入账本",
  verify: "验证",
  verifyLabel: "在浏览器中验证这一步是否已记入账本：{{step}}",
  checking: "正在您的浏览器中验证…",
  pending: "这一步正在记入账本，通常一两秒内完成。请稍后重新检查。",
  retry: "重新检查",
  verified:
    "已验证：这一步是本节点账本的第 {{index}} 条记录，包含在由 {{origin}} 签名的账本状态（共 {{size}} 条记录）中。此后任何人都无法在不被发现的情况下修改或删除它。",
  verifiedAt: "验证由您的浏览器于 {{time}} 独立完成，只依据账本公钥和数学计算。",
  failed: {
    "bad-key": "验证未通过：本节点公布的账本公钥无法识别，无法证明这一步已记入账本。",
    "bad-checkpoint":
      "验证未通过：账本状态的签名与本节点公布的公钥不符。这可能意味着账本被改动过，请保存本页并联系办理部门。",
    "wrong-origin": "验证未通过：收到的账本状态不属于本节点的账本。",
    "not-in-checkpoint": "验证未通过：已签名的账本状态中没有第 {{index}} 条记录。",
    "bad-proof":
      "验证未通过：第 {{index}} 条记录与已签名的账本状态对不上。这可能意味着记录被改动过，请保存本页并联系办理部门。",
    "wrong-entry": "验证未通过：账本第 {{index}} 条记录的不是这一步（办件、操作或时间不一致）。",
  },
  unavailable: "暂时无法验证（网络或服务器没有响应），这并不表示记录有问题。请稍后重试。",
  details: "技术细节（供专业人员核对）",
  origin: "账本名称",
  treeSize: "账本状态的记录数",
  rootHash: "根哈希（SHA-256，Base64）",
  leafHash: "本条记录的叶子哈希（RFC 9162，十六进制）",
  key: "验证所用公钥（Ed25519）",
  entry: "记录内容（不含个人信息）",
  sm2: "该账本状态还带有国密 SM2 签名；浏览器不核验它，可用下面的命令行工具一并核验（--key @{{base}}/ledger/keys）。",
  keyAdvice: "请将上面的公钥与本节点在其他渠道公布的公钥比对，核验才完全独立于本网站。",
  cli: "不借助本网站自行核验：",
  problem: "详细原因：{{detail}}",
};

type Shape<T> = { [K in keyof T]: T[K] extends string ? string : Shape<T[K]> };

const zhHant: Shape<typeof zhHans> = {
  index: "帳本第 {{index}} 條",
  unsealedTag: "待記入帳本",
  verify: "驗證",
  verifyLabel: "在瀏覽器中驗證這一步是否已記入帳本：{{step}}",
  checking: "正在您的瀏覽器中驗證…",
  pending: "這一步正在記入帳本，通常一兩秒內完成。請稍後重新檢查。",
  retry: "重新檢查",
  verified:
    "已驗證：這一步是本節點帳本的第 {{index}} 條記錄，包含在由 {{origin}} 簽名的帳本狀態（共 {{size}} 條記錄）中。此後任何人都無法在不被發現的情況下修改或刪除它。",
  verifiedAt: "驗證由您的瀏覽器於 {{time}} 獨立完成，只依據帳本公鑰和數學計算。",
  failed: {
    "bad-key": "驗證未通過：本節點公布的帳本公鑰無法識別，無法證明這一步已記入帳本。",
    "bad-checkpoint":
      "驗證未通過：帳本狀態的簽名與本節點公布的公鑰不符。這可能意味著帳本被改動過，請保存本頁並聯繫辦理部門。",
    "wrong-origin": "驗證未通過：收到的帳本狀態不屬於本節點的帳本。",
    "not-in-checkpoint": "驗證未通過：已簽名的帳本狀態中沒有第 {{index}} 條記錄。",
    "bad-proof":
      "驗證未通過：第 {{index}} 條記錄與已簽名的帳本狀態對不上。這可能意味著記錄被改動過，請保存本頁並聯繫辦理部門。",
    "wrong-entry": "驗證未通過：帳本第 {{index}} 條記錄的不是這一步（辦件、操作或時間不一致）。",
  },
  unavailable: "暫時無法驗證（網絡或伺服器沒有回應），這並不表示記錄有問題。請稍後重試。",
  details: "技術細節（供專業人員核對）",
  origin: "帳本名稱",
  treeSize: "帳本狀態的記錄數",
  rootHash: "根雜湊（SHA-256，Base64）",
  leafHash: "本條記錄的葉子雜湊（RFC 9162，十六進位）",
  key: "驗證所用公鑰（Ed25519）",
  entry: "記錄內容（不含個人資訊）",
  sm2: "該帳本狀態還帶有國密 SM2 簽名；瀏覽器不核驗它，可用下面的命令列工具一併核驗（--key @{{base}}/ledger/keys）。",
  keyAdvice: "請將上面的公鑰與本節點在其他渠道公布的公鑰比對，核驗才完全獨立於本網站。",
  cli: "不借助本網站自行核驗：",
  problem: "詳細原因：{{detail}}",
};

const en: Shape<typeof zhHans> = {
  index: "Ledger entry {{index}}",
  unsealedTag: "Being recorded",
  verify: "Verify",
  verifyLabel: "Verify in this browser that this step is in the ledger: {{step}}",
  checking: "Verifying in your browser…",
  pending: "This step is being written to the ledger, which usually takes a second or two. Please check again shortly.",
  retry: "Check again",
  verified:
    "Verified: this step is entry {{index}} of this node's ledger, included in the ledger state of {{size}} entries signed by {{origin}}. From now on nobody can alter or remove it without that being detected.",
  verifiedAt: "Checked independently by your browser at {{time}}, using only the ledger's public key and mathematics.",
  failed: {
    "bad-key": "Verification failed: the ledger key this node publishes cannot be read, so nothing could be proven.",
    "bad-checkpoint":
      "Verification failed: the signature on the ledger state does not match this node's published key. The ledger may have been altered; save this page and contact the department.",
    "wrong-origin": "Verification failed: the ledger state received belongs to another ledger.",
    "not-in-checkpoint": "Verification failed: the signed ledger state has no entry {{index}}.",
    "bad-proof":
      "Verification failed: entry {{index}} does not match the signed ledger state. The record may have been altered; save this page and contact the department.",
    "wrong-entry": "Verification failed: ledger entry {{index}} is not this step (the case, action or time differs).",
  },
  unavailable:
    "Could not verify right now (the network or the server did not answer). This says nothing bad about the record; please try again later.",
  details: "Technical details (for experts)",
  origin: "Ledger",
  treeSize: "Entries in the signed ledger state",
  rootHash: "Root hash (SHA-256, Base64)",
  leafHash: "This entry's leaf hash (RFC 9162, hex)",
  key: "Public key used (Ed25519)",
  entry: "The entry (no personal data)",
  sm2: "The ledger state also carries an SM2 signature (Chinese national standard); the browser does not check it, the command-line tool below can (--key @{{base}}/ledger/keys).",
  keyAdvice:
    "Compare the key above with the one this node publishes elsewhere for a check fully independent of this website.",
  cli: "Check it without this website:",
  problem: "Details: {{detail}}",
};

export const ledgerMessages = { "zh-Hans": zhHans, "zh-Hant": zhHant, en };
