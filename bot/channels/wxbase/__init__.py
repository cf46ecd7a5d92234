"""What the WeChat Official Account and WeCom channels share: wechatpy's crypto and clients, callback freshness,
text limits, media download, the shared parts of inbound conversion, retry answers and write-behind refs."""
