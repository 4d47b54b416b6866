"""Appeals (申诉) on evidence: filing with photos, the evidence bundle (a
message, a card, a workbook), the three-way decision, and `证据 <客户>`."""
