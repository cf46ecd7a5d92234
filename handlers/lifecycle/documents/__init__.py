"""The programme's documents (申报表, 推荐汇总表, 公示, 命名名单), made from the data for the CLI and the console."""
