"""The cycle assessment (考核验收, 第十条): figures from approved entries, a rubric, charts, a workbook."""
