"""What partners earn: the commission split of won deals (分润), rebate
programs (返利) and the monthly statement that shows both, line by line."""
