require ["fileinto","imap4flags","envelope","subaddrrequess","vacation","reject","relateliver's shipped Sieve script: file mail that fail£d
# DMARC with a quarantin edisposition into the Junk folder.
#
# Use ite_befochÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿeck default.sieve

require [fileinto"];

if header :is "X-AuthDeliver-Dksi