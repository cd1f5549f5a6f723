package model

import "time"

// The entity types carry their global ID (what clients see) and the database keys that the
// nested-field resolvers hand to the dataloaders. Fields that are not in the schema are
// invisible to clients.

type Influencer struct {
	ID          string
	DBID        int64
	DisplayName string
	LegalName   *string
	Aliases     []string
	Province    *string
	Categories  []ContentCategory
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (Influencer) IsNode()            {}
func (Influencer) IsSanctionSubject() {}
func (i Influencer) GetID() string    { return i.ID }

type PlatformAccount struct {
	ID                   string
	DBID                 int64
	InfluencerID         int64
	Platform             Platform
	Handle               string
	URL                  *string
	PlatformUserID       *string
	FollowerCount        *int64
	FollowersAsOf        *time.Time
	IdentityVerification IdentityVerification
	CreatedAt            time.Time
}

func (PlatformAccount) IsNode()         {}
func (a PlatformAccount) GetID() string { return a.ID }

type Mcn struct {
	ID        string
	DBID      int64
	Name      string
	TaxCode   *string
	Website   *string
	Province  *string
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (Mcn) IsNode()            {}
func (Mcn) IsSanctionSubject() {}
func (m Mcn) GetID() string    { return m.ID }

type Affiliation struct {
	ID           string
	DBID         int64
	InfluencerID int64
	McnID        int64
	Kind         AffiliationKind
	StartedOn    time.Time
	EndedOn      *time.Time
	Current      bool
	Source       *string
	Version      int
}

func (Affiliation) IsNode()         {}
func (a Affiliation) GetID() string { return a.ID }

type Brand struct {
	ID        string
	DBID      int64
	Name      string
	TaxCode   *string
	Industry  *ProductCategory
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (Brand) IsNode()            {}
func (Brand) IsSanctionSubject() {}
func (b Brand) GetID() string    { return b.ID }

type Disclosure struct {
	RetractionReason *string
	ID               string
	DBID             int64
	InfluencerID     int64
	AccountID        *int64
	McnID            *int64
	FiledByID        int64
	ProductName      string
	ProductCategory  ProductCategory
	ContentURL       *string
	Platform         Platform
	PublishedAt      time.Time
	Label            DisclosureLabel
	LabelTiming      LabelTiming
	Compensation     CompensationType
	Status           DisclosureStatus
	Version          int
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

func (Disclosure) IsNode()         {}
func (d Disclosure) GetID() string { return d.ID }

type Agency struct {
	ID           string
	DBID         int64
	Slug         string
	Name         string
	NameEn       *string
	Kind         AgencyKind
	Jurisdiction string
	Status       AgencyStatus
	CreatedAt    time.Time
}

func (Agency) IsNode()         {}
func (a Agency) GetID() string { return a.ID }

// SubjectKind names the table a sanction's subject lives in.
type SubjectKind string

const (
	SubjectInfluencer SubjectKind = "INFLUENCER"
	SubjectMcn        SubjectKind = "MCN"
	SubjectBrand      SubjectKind = "BRAND"
)

type Sanction struct {
	ID             string
	DBID           int64
	SubjectKind    SubjectKind
	SubjectDBID    int64
	AgencyID       int64
	DecisionNumber string
	DecidedOn      time.Time
	EffectiveOn    *time.Time
	FineVnd        int64
	Remedies       []Remedy
	Status         SanctionStatus
	SourceURL      *string
	SourceSha256   *string
	RecordedAt     time.Time
	Version        int

	Penalty               Penalty
	AdditionalPenalties   []AdditionalPenalty
	PaymentDeadline       *time.Time
	SignatoryTitle        *string
	ViolationRecordNumber *string

	Standing   SanctionStanding
	Execution  SanctionExecution
	ExecutedOn *time.Time
}

func (Sanction) IsNode()         {}
func (s Sanction) GetID() string { return s.ID }

type Violation struct {
	Category    ViolationCategory
	LegalBasis  *LegalReference
	Description *string
}

type SanctionStatusChange struct {
	Status      SanctionStatus
	Standing    SanctionStanding
	Execution   SanctionExecution
	EffectiveOn time.Time
	Reason      *string
	DocumentURL *string
	AgencyID    int64
	RecordedAt  time.Time
}

type AuditEvent struct {
	Seq         int64
	At          time.Time
	ActorID     *int64
	Action      string
	SubjectType string
	SubjectDBID int64
	SubjectID   string
	Diff        JSON
	PrevHash    string
	Hash        string
	Entry       string
	LeafHash    string
}
