#!/usr/bin/perl
# mdkim-verify.pl ZONE MESSAGE... - Mail::DKIM (libmail-dkim-perl) verdicts
# for the vectors, with DNS answered from our zone file (TXT only).
# Prints "FILE<TAB>result,result,..." (one result per DKIM-Signature).
use strict;
use warnings;
use Mail::DKIM::Verifier;
use Mail::DKIM::DNS;
use Net::DNS;

my ($zone, @files) = @ARGV;
my %txt;
open(my $z, '<', $zone) or die "$zone: $!";
while (<$z>) {
	next if /^\s*[;\$]/ || !/\S/;
	my ($name, $rest) = /^(\S+)\s+IN\s+TXT\s+(.*)$/ or next;
	$name =~ s/\.$//;
	my @parts;
	while ($rest =~ /"((?:[^"\\]|\\.)*)"/g) {
		my $s = $1;
		$s =~ s/\\(\d{3})/chr($1)/ge;
		$s =~ s/\\(.)/$1/g;
		push @parts, $s;
	}
	$txt{lc $name} = \@parts;
}
{
	no warnings 'redefine';
	*Mail::DKIM::DNS::query = sub {
		my ($domain, $type) = @_;
		my $p = $txt{lc $domain};
		if (!$p) { $@ = 'NXDOMAIN'; return; }
		$@ = 'NOERROR';
		return Net::DNS::RR->new(name => $domain, type => 'TXT', txtdata => [@$p]);
	};
}
for my $f (@files) {
	open(my $fh, '<', $f) or die "$f: $!";
	binmode $fh;
	my $dkim = Mail::DKIM::Verifier->new();
	local $/;
	my $data = <$fh>;
	$dkim->PRINT($data);
	$dkim->CLOSE;
	my @r = map { $_->result } grep { ref($_) =~ /DKIM::Signature/ } $dkim->signatures;
	print "$f\t", join(',', @r), "\n";
}
